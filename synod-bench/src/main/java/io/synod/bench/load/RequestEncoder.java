package io.synod.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * The bytes of the two requests {@code synod bench} sends to one endpoint, encoded once: a request is the template's
 * prefix, the key's number in ASCII digits, and the template's suffix (for a write, its headers and the value), copied
 * into one buffer from the channel's (pooled) allocator. Nothing else is allocated per request. Immutable and
 * thread-safe.
 *
 * <pre>
 * PUT /v1/kv/k{N} HTTP/1.1\r\nHost: {host:port}\r\nContent-Length: {size}\r\n\r\n{value}
 * GET /v1/kv/k{N}?consistency={c} HTTP/1.1\r\nHost: {host:port}\r\n\r\n
 * </pre>
 */
final class RequestEncoder {
    /** The key prefix: keys are {@code k0 .. k(keys-1)}. */
    static final String KEY_PREFIX = "k";

    private final byte[] writePrefix;
    private final byte[] writeSuffix;
    private final byte[] readPrefix;
    private final byte[] readSuffix;

    RequestEncoder(URI endpoint, int valueSize, LoadSpec.Consistency consistency, Access access) {
        String host = "Host: " + endpoint.getHost() + ":" + endpoint.getPort() + "\r\n" + access.authorizationLine();
        writePrefix = ascii("PUT /v1/kv/" + KEY_PREFIX);
        byte[] headers = ascii(" HTTP/1.1\r\n" + host + "Content-Length: " + valueSize + "\r\n\r\n");
        writeSuffix = new byte[headers.length + valueSize];
        System.arraycopy(headers, 0, writeSuffix, 0, headers.length);
        byte[] value = value(valueSize);
        System.arraycopy(value, 0, writeSuffix, headers.length, valueSize);
        readPrefix = ascii("GET /v1/kv/" + KEY_PREFIX);
        readSuffix = ascii("?consistency=" + consistency.wire() + " HTTP/1.1\r\n" + host + "\r\n");
    }

    /** The value every write carries: {@code size} printable bytes (a repeating alphabet). */
    static byte[] value(int size) {
        byte[] value = new byte[size];
        for (int i = 0; i < size; i++) {
            value[i] = (byte) ('a' + i % 26);
        }
        return value;
    }

    /** A {@code PUT} of the value to key {@code k{key}}, in a buffer the caller owns. */
    ByteBuf write(ByteBufAllocator allocator, int key) {
        return encode(allocator, writePrefix, key, writeSuffix);
    }

    /** A {@code GET} of key {@code k{key}}, in a buffer the caller owns. */
    ByteBuf read(ByteBufAllocator allocator, int key) {
        return encode(allocator, readPrefix, key, readSuffix);
    }

    private static ByteBuf encode(ByteBufAllocator allocator, byte[] prefix, int key, byte[] suffix) {
        int digits = digits(key);
        ByteBuf buffer = allocator.buffer(prefix.length + digits + suffix.length);
        buffer.writeBytes(prefix);
        int divisor = 1;
        for (int i = 1; i < digits; i++) {
            divisor *= 10;
        }
        for (int rest = key; divisor > 0; divisor /= 10) {
            buffer.writeByte('0' + rest / divisor);
            rest %= divisor;
        }
        buffer.writeBytes(suffix);
        return buffer;
    }

    /** How many decimal digits {@code n} (at least 0) has. */
    static int digits(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("a key number is never negative: " + n);
        }
        int digits = 1;
        for (long bound = 10; n >= bound; bound *= 10) {
            digits++;
        }
        return digits;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
