package io.synod.server;

import static org.assertj.core.api.Assertions.assertThat;
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
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

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

    private static void exchangeAndCheck(byte[] bytes) throws IOException {
        byte[] answers = exchange(bytes);
        int at = 0;
        while (at < answers.length) {
            at = checkAnswer(answers, at, bytes);
        }
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

    /** Checks the answer that starts at {@code at}; returns where the next one starts. */
    private static int checkAnswer(byte[] answers, int at, byte[] request) throws IOException {
        int headEnd = indexOf(answers, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), at);
        assertThat(headEnd).as("an answer's head ends: %s after %s", show(answers), show(request)).isPositive();
        String[] lines = new String(answers, at, headEnd - at, StandardCharsets.ISO_8859_1).split("\r\n");
        assertThat(lines[0]).as("status line after %s", show(request)).matches("HTTP/1\\.1 [1-5][0-9][0-9] .*");
        int status = Integer.parseInt(lines[0].substring(9, 12));
        long length = -1;
        boolean chunked = false;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            assertThat(colon).as("header line %s", lines[i]).isPositive();
            String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = lines[i].substring(colon + 1).trim();
            if (name.equals("content-length")) {
                length = Long.parseLong(value);
            } else if (name.equals("transfer-encoding")) {
                chunked = value.equalsIgnoreCase("chunked");
            }
        }
        int bodyStart = headEnd + 4;
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int next;
        if (chunked) {
            int p = bodyStart;
            while (true) {
                int lineEnd = indexOf(answers, "\r\n".getBytes(StandardCharsets.US_ASCII), p);
                assertThat(lineEnd).as("chunk size line").isPositive();
                int size = Integer.parseInt(new String(answers, p, lineEnd - p, StandardCharsets.US_ASCII)
                        .split(";")[0].trim(), 16);
                p = lineEnd + 2;
                if (size == 0) {
                    int trailerEnd = indexOf(answers, "\r\n".getBytes(StandardCharsets.US_ASCII), p);
                    next = trailerEnd + 2;
                    break;
                }
                body.write(answers, p, size);
                p += size + 2;
            }
        } else if (status < 200 || status == 204 || status == 304) {
            next = bodyStart; // no body, by definition
        } else {
            assertThat(length).as("Content-Length of %s after %s", lines[0], show(request)).isNotNegative();
            next = bodyStart + (int) Math.min(length, Integer.MAX_VALUE);
            if (!startsAnswer(answers, next) && startsAnswer(answers, bodyStart)) {
                return bodyStart; // the answer to a HEAD: the length of the body it would have had, and no body
            }
            assertThat(next).as("whole body of %s after %s", lines[0], show(request))
                    .isLessThanOrEqualTo(answers.length);
            body.write(answers, bodyStart, (int) length);
        }
        if (status >= 400) {
            if (status >= 500) {
                assertThat(status).as("5xx after %s", show(request)).isIn(503, 504);
            }
            JsonNode error = JSON.readTree(body.toByteArray());
            assertThat(error.path("error").isTextual()).as("error shape: %s", body).isTrue();
            assertThat(error.path("code").asText()).as("error code: %s", body).matches("[A-Z][A-Z0-9_]*");
        }
        return next;
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
