package io.synod.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fuzz target for the HTTP request parser and router, black box: arbitrary bytes (one or more raw requests) on a
 * fresh socket to a real one-node server started once per JVM, then the write side is shut and the answers read to
 * the close. Every answer must be well-formed HTTP/1.1; every status of 400 and above carries the JSON error shape;
 * no 5xx but 503 and 504; the connection closes within {@link #ANSWER_TIMEOUT_MS} (else a hang), with no reset;
 * and afterwards the server still answers {@code GET /v1/status} with 200. Kept inputs under
 * {@code HttpFuzzTestInputs/} replay without {@code JAZZER_FUZZ} (docs/fuzzing.md).
 */
class HttpFuzzTest {
    private static final int ANSWER_TIMEOUT_MS = 10_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path dataDir;
    private static SynodServer server;
    private static InetSocketAddress http;

    @BeforeAll
    static void startServer() throws IOException {
        dataDir = Files.createTempDirectory("synod-http-fuzz");
        http = new InetSocketAddress("127.0.0.1", freePort());
        ServerConfig config = ServerConfig.of(0, Map.of(0, new InetSocketAddress("127.0.0.1", freePort())), http,
                        dataDir)
                .withElection("none", ServerConfig.LEASE_MS_DEFAULT, ServerConfig.MAX_DRIFT_MS_DEFAULT);
        server = SynodServer.start(config);
    }

    @AfterAll
    static void stopServer() throws IOException {
        if (server != null) {
            server.close();
        }
        try (var files = Files.walk(dataDir)) {
            for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }

    @FuzzTest(maxDuration = "10m")
    void requests(byte[] bytes) throws IOException {
        // Jazzer's SSRF detector refuses every connection it sees while fuzzing; the target dials its own node on
        // the loopback interface, so that, and only that, is allowed.
        try (SilentCloseable loopbackOnly = BugDetectors.allowNetworkConnections(
                (host, port) -> host.equals("127.0.0.1") || host.equals("localhost"))) {
            exchangeAndCheck(bytes);
        }
    }

    /** The checker is trusted because it refuses planted bad answers and accepts the ambiguous good ones. */
    @Test
    void theAnswerCheckerCatchesPlantedBadAnswers() {
        String error = "{\"error\":\"no such key\",\"code\":\"NOT_FOUND\"}";
        String notFound = "HTTP/1.1 404 Not Found\r\ncontent-length: " + error.length() + "\r\n\r\n";
        byte[] none = new byte[0];
        // Good: a 404 with its body, the same as the answer to a HEAD (no body), a value that looks like an answer.
        checkAnswers(ascii(notFound + error + notFound + notFound + notFound + error), none);
        String lookalike = "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n";
        checkAnswers(ascii("HTTP/1.1 200 OK\r\ncontent-length: " + lookalike.length() + "\r\n\r\n" + lookalike), none);
        // Bad: a truncated body, a 500, an error that is not the JSON shape, garbage after an answer.
        for (String bad : List.of(notFound + error.substring(0, 10),
                "HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\n\r\n",
                "HTTP/1.1 400 Bad Request\r\ncontent-length: 4\r\n\r\noops",
                notFound + error + "garbage")) {
            assertThatThrownBy(() -> checkAnswers(ascii(bad), none)).as(bad).isInstanceOf(AssertionError.class);
        }
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static void exchangeAndCheck(byte[] bytes) throws IOException {
        checkAnswers(exchange(bytes), bytes);
        byte[] status = exchange("GET /v1/status HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        assertThat(new String(status, StandardCharsets.ISO_8859_1)).as("still healthy after %s", show(bytes))
                .startsWith("HTTP/1.1 200 ");
    }

    private static byte[] exchange(byte[] request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(http, 5_000);
            socket.setSoTimeout(ANSWER_TIMEOUT_MS);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request);
                out.flush();
                socket.shutdownOutput();
            } catch (IOException closedEarly) {
                // the server may refuse and close before it has read everything; what it answered is still checked
            }
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answers = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            try {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    answers.write(buffer, 0, n);
                }
            } catch (SocketTimeoutException hang) {
                fail("no close within " + ANSWER_TIMEOUT_MS + " ms after " + show(request) + "; answered so far: "
                        + show(answers.toByteArray()));
            } catch (IOException reset) {
                // The node closes lingering (HttpGuards.CLOSE_AFTER_ANSWER): a reset would have thrown away answers.
                fail("reset after " + show(request) + "; answered so far: " + show(answers.toByteArray()) + ": "
                        + reset);
            }
            return answers.toByteArray();
        }
    }

    /**
     * Checks that {@code answers} is a run of well-formed answers to the end. An answer to a HEAD has a
     * Content-Length and no body, and which requests were HEADs is not known from arbitrary bytes, so an answer that
     * can be read either way is: a search over where each answer ends, each position tried once.
     */
    private static void checkAnswers(byte[] answers, byte[] request) {
        ArrayDeque<Integer> starts = new ArrayDeque<>(List.of(0));
        Set<Integer> tried = new HashSet<>();
        int furthest = -1;
        List<String> why = new ArrayList<>();
        while (!starts.isEmpty()) {
            int at = starts.pop();
            if (at == answers.length) {
                return;
            }
            if (!tried.add(at)) {
                continue;
            }
            List<String> problems = new ArrayList<>();
            List<Integer> ends = answerEnds(answers, at, problems);
            if (ends.isEmpty() && at > furthest) {
                furthest = at;
                why = problems;
            }
            for (int end : ends) {
                starts.push(end);
            }
        }
        fail("no reading of the answers is well-formed; at byte " + furthest + ": " + why + "; answers "
                + show(Arrays.copyOfRange(answers, Math.max(furthest, 0), answers.length)) + " after "
                + show(request));
    }

    /**
     * Where the answer that starts at {@code at} can end: after its body, and, if another answer (or the end) follows
     * its head at once, after its head (an answer to a HEAD). Empty, with the problems, if it is not an answer.
     */
    private static List<Integer> answerEnds(byte[] answers, int at, List<String> problems) {
        int headEnd = indexOf(answers, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), at);
        if (headEnd < 0) {
            problems.add("the head does not end");
            return List.of();
        }
        String[] lines = new String(answers, at, headEnd - at, StandardCharsets.ISO_8859_1).split("\r\n");
        if (!lines[0].matches("HTTP/1\\.1 [1-5][0-9][0-9] .*")) {
            problems.add("status line " + lines[0]);
            return List.of();
        }
        int status = Integer.parseInt(lines[0].substring(9, 12));
        if (status >= 500 && status != 503 && status != 504) {
            problems.add("a 5xx but 503 or 504: " + lines[0]);
            return List.of();
        }
        long length = -1;
        boolean chunked = false;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) {
                problems.add("header line " + lines[i]);
                return List.of();
            }
            String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = lines[i].substring(colon + 1).trim();
            if (name.equals("content-length")) {
                length = Long.parseLong(value);
            } else if (name.equals("transfer-encoding")) {
                chunked = value.equalsIgnoreCase("chunked");
            }
        }
        int bodyStart = headEnd + 4;
        if (status < 200 || status == 204 || status == 304) {
            return List.of(bodyStart); // no body, by definition
        }
        List<Integer> ends = new ArrayList<>();
        if (!chunked && startsAnswer(answers, bodyStart)) {
            ends.add(bodyStart); // an answer to a HEAD: the length of the body it would have had, and no body
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int next;
        if (chunked) {
            int p = bodyStart;
            while (true) {
                int lineEnd = indexOf(answers, "\r\n".getBytes(StandardCharsets.US_ASCII), p);
                if (lineEnd < 0) {
                    problems.add("a chunk size line does not end");
                    return ends;
                }
                int size = Integer.parseInt(new String(answers, p, lineEnd - p, StandardCharsets.US_ASCII)
                        .split(";")[0].trim(), 16);
                p = lineEnd + 2;
                if (size == 0) {
                    next = indexOf(answers, "\r\n".getBytes(StandardCharsets.US_ASCII), p) + 2;
                    break;
                }
                body.write(answers, p, size);
                p += size + 2;
            }
        } else if (length < 0) {
            problems.add("no Content-Length: " + lines[0]);
            return ends;
        } else if (bodyStart + length > answers.length) {
            problems.add("the body of " + lines[0] + " ends early: " + (answers.length - bodyStart) + " of "
                    + length + " bytes");
            return ends;
        } else {
            next = bodyStart + (int) length;
            body.write(answers, bodyStart, (int) length);
        }
        if (!startsAnswer(answers, next)) {
            problems.add("no answer after the body of " + lines[0]);
            return ends;
        }
        if (status >= 400) {
            try {
                JsonNode error = JSON.readTree(body.toByteArray());
                if (!error.path("error").isTextual() || !error.path("code").asText().matches("[A-Z][A-Z0-9_]*")) {
                    problems.add("not the error shape: " + body);
                    return ends;
                }
            } catch (IOException notJson) {
                problems.add("not JSON: " + body);
                return ends;
            }
        }
        ends.add(next);
        return ends;
    }

    /** Whether another answer starts at {@code at}, or the answers end there. */
    private static boolean startsAnswer(byte[] answers, int at) {
        byte[] prefix = "HTTP/1.1 ".getBytes(StandardCharsets.US_ASCII);
        return at == answers.length || (at < answers.length && indexOf(answers, prefix, at) == at);
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = from; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static String show(byte[] bytes) {
        String text = new String(bytes, 0, Math.min(bytes.length, 300), StandardCharsets.ISO_8859_1);
        return "\"" + text.replace("\r", "\\r").replace("\n", "\\n") + (bytes.length > 300 ? "...\"" : "\"");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
