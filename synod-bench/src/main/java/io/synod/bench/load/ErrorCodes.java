package io.synod.bench.load;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * How {@code synod bench} names a failed request: by the {@code code} of the answer's JSON error body
 * ({@code {"error":"...","code":"NO_MASTER"}}, DESIGN.md §1), else by the HTTP status ({@code "500"}), else, when no
 * answer came, {@link #CONNECTION} (the connection could not be made or broke) or {@link #TIMEOUT} (no answer within
 * the timeout). Stateless and thread-safe.
 */
public final class ErrorCodes {
    /** No answer: the connection could not be made, or it closed before the answer was complete. */
    public static final String CONNECTION = "CONNECTION";
    /** No answer within the request timeout (the connection is then closed and made again). */
    public static final String TIMEOUT = "TIMEOUT";

    private static final JsonFactory JSON = new JsonFactory();

    private ErrorCodes() {
    }

    /** Whether {@code status} is an answer the run counts as done: any 2xx, and a 404 to a read (a key not there). */
    public static boolean isSuccess(int status, boolean read) {
        return (status >= 200 && status < 300) || (read && status == 404);
    }

    /**
     * The name of a failed answer: the top-level string field {@code code} of {@code body} if it is a JSON object
     * that has one, else the status as a number.
     *
     * @param body the answer's body (perhaps only its first bytes), as UTF-8
     */
    public static String classify(int status, byte[] body, int length) {
        String code = jsonCode(body, length);
        return code != null ? code : Integer.toString(status);
    }

    private static String jsonCode(byte[] body, int length) {
        if (length == 0) {
            return null;
        }
        try (JsonParser parser = JSON.createParser(body, 0, length)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            for (JsonToken token = parser.nextToken(); token == JsonToken.FIELD_NAME; token = parser.nextToken()) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if (name.equals("code") && value == JsonToken.VALUE_STRING) {
                    String code = parser.getText();
                    return isCodeName(code) ? code : null;
                }
                parser.skipChildren();
            }
            return null;
        } catch (IOException notJson) {
            return null; // a cut-off or foreign body: the status names it
        }
    }

    /** SNAKE_CASE, as every API error code is; anything else (an HTML page's text, say) is not used as a name. */
    private static boolean isCodeName(String code) {
        if (code.isEmpty() || code.length() > 64) {
            return false;
        }
        for (int i = 0; i < code.length(); i++) {
            char c = code.charAt(i);
            if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) {
                return false;
            }
        }
        return true;
    }
}
