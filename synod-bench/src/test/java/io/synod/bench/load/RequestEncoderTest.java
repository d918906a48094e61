package io.synod.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The encoded requests are exactly the HTTP/1.1 requests of the contract, for every key number. */
class RequestEncoderTest {
    private static final UnpooledByteBufAllocator ALLOCATOR = new UnpooledByteBufAllocator(false);

    private static String text(ByteBuf buffer) {
        try {
            return buffer.toString(StandardCharsets.US_ASCII);
        } finally {
            buffer.release();
        }
    }

    @Test
    void aWriteIsAPutOfTheValue() {
        RequestEncoder encoder = new RequestEncoder(URI.create("http://127.0.0.1:7101"), 5,
                LoadSpec.Consistency.LINEARIZABLE, Access.NONE);
        assertThat(text(encoder.write(ALLOCATOR, 42))).isEqualTo(
                "PUT /v1/kv/k42 HTTP/1.1\r\nHost: 127.0.0.1:7101\r\nContent-Length: 5\r\n\r\nabcde");
        assertThat(text(encoder.write(ALLOCATOR, 0))).startsWith("PUT /v1/kv/k0 HTTP/1.1\r\n");
    }

    @Test
    void aTokenGoesInEveryRequest() {
        RequestEncoder encoder = new RequestEncoder(URI.create("https://127.0.0.1:7101"), 1,
                LoadSpec.Consistency.LINEARIZABLE, new Access(null, null, null, "tok-0123456789abcdef"));
        assertThat(text(encoder.write(ALLOCATOR, 1))).isEqualTo("PUT /v1/kv/k1 HTTP/1.1\r\nHost: 127.0.0.1:7101\r\n"
                + "Authorization: Bearer tok-0123456789abcdef\r\nContent-Length: 1\r\n\r\na");
        assertThat(text(encoder.read(ALLOCATOR, 1))).contains("\r\nAuthorization: Bearer tok-0123456789abcdef\r\n");
    }

    @Test
    void aReadIsAGetAtTheConsistency() {
        RequestEncoder encoder = new RequestEncoder(URI.create("http://node-2:8000"), 100, LoadSpec.Consistency.QUORUM, Access.NONE);
        assertThat(text(encoder.read(ALLOCATOR, 1_000_007))).isEqualTo(
                "GET /v1/kv/k1000007?consistency=quorum HTTP/1.1\r\nHost: node-2:8000\r\n\r\n");
    }

    @Test
    void keyNumbersOfEveryLengthAreWrittenInDecimal() {
        RequestEncoder encoder = new RequestEncoder(URI.create("http://h:1"), 0, LoadSpec.Consistency.STALE, Access.NONE);
        for (int key : new int[] {0, 9, 10, 99, 100, 12_345, 999_999_999, Integer.MAX_VALUE}) {
            assertThat(text(encoder.read(ALLOCATOR, key))).startsWith("GET /v1/kv/k" + key + "?");
            assertThat(RequestEncoder.digits(key)).isEqualTo(Integer.toString(key).length());
        }
    }

    @Test
    void anEmptyValueHasContentLengthZero() {
        RequestEncoder encoder = new RequestEncoder(URI.create("http://h:1"), 0, LoadSpec.Consistency.STALE, Access.NONE);
        assertThat(text(encoder.write(ALLOCATOR, 7))).endsWith("Content-Length: 0\r\n\r\n");
    }
}
