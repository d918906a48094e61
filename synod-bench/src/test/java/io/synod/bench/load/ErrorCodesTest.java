package io.synod.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A failed answer is named by its JSON error code when it has one, else by its status. */
class ErrorCodesTest {
    private static String classify(int status, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return ErrorCodes.classify(status, bytes, bytes.length);
    }

    @Test
    void theJsonCodeNamesTheError() {
        assertThat(classify(503, "{\"error\":\"no master is known\",\"code\":\"NO_MASTER\"}")).isEqualTo("NO_MASTER");
        assertThat(classify(503, "{\"nested\":{\"code\":\"INNER\"},\"code\":\"NO_QUORUM\"}")).isEqualTo("NO_QUORUM");
    }

    @Test
    void withoutAUsableCodeTheStatusNamesIt() {
        assertThat(classify(500, "")).isEqualTo("500");
        assertThat(classify(502, "<html>Bad gateway</html>")).isEqualTo("502");
        assertThat(classify(503, "{\"error\":\"no code here\"}")).isEqualTo("503");
        assertThat(classify(504, "{\"error\":\"cut off\",\"code\":\"TIME")).isEqualTo("504");
        assertThat(classify(400, "{\"code\":42}")).isEqualTo("400");
        assertThat(classify(400, "{\"code\":\"not a code name\"}")).isEqualTo("400");
        assertThat(classify(400, "[\"code\",\"X\"]")).isEqualTo("400");
        assertThat(classify(400, "{\"nested\":{\"code\":\"INNER\"}}")).isEqualTo("400");
    }

    @Test
    void onlyTheBytesGivenAreRead() {
        byte[] body = "{\"code\":\"NO_MASTER\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(ErrorCodes.classify(503, body, 10)).isEqualTo("503");
    }

    @Test
    void answersThatCountAsDone() {
        assertThat(ErrorCodes.isSuccess(200, false)).isTrue();
        assertThat(ErrorCodes.isSuccess(204, true)).isTrue();
        assertThat(ErrorCodes.isSuccess(404, true)).isTrue();
        assertThat(ErrorCodes.isSuccess(404, false)).isFalse();
        assertThat(ErrorCodes.isSuccess(412, false)).isFalse();
        assertThat(ErrorCodes.isSuccess(307, true)).isFalse();
    }
}
