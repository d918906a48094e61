package io.synod.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The cluster secret of {@code --cluster-secret-file}: a key every node of the cluster holds, with which peers prove
 * to each other in the handshake that they hold it (HMAC-SHA256 over fresh nonces; docs/protocol.md, "The peer
 * handshake"). The key never leaves this object: it is never sent, logged or printed ({@link #toString} says
 * {@code <secret>}).
 *
 * <p>Immutable and thread-safe: every HMAC uses its own {@link Mac}.
 */
public final class ClusterSecret {
    /** The shortest secret accepted, in bytes. */
    public static final int MIN_BYTES = 16;
    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;

    private ClusterSecret(byte[] bytes) {
        this.key = new SecretKeySpec(bytes, ALGORITHM);
    }

    /**
     * The secret made of {@code bytes} (copied).
     *
     * @throws IllegalArgumentException if it has fewer than {@link #MIN_BYTES} bytes
     */
    public static ClusterSecret of(byte[] bytes) {
        if (bytes == null || bytes.length < MIN_BYTES) {
            throw new IllegalArgumentException("a cluster secret of " + (bytes == null ? 0 : bytes.length)
                    + " bytes is too short; at least " + MIN_BYTES + " are needed");
        }
        return new ClusterSecret(bytes);
    }

    /**
     * The secret held by {@code file}: the file's bytes, with one trailing line end ({@code \n} or {@code \r\n})
     * removed, so a secret written by {@code echo} or an editor means the same as one written by {@code head -c}.
     *
     * @throws IllegalArgumentException naming the file, if it cannot be read or holds fewer than {@link #MIN_BYTES}
     *     bytes; the message never contains the secret
     */
    public static ClusterSecret fromFile(Path file) {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("--cluster-secret-file " + file + " does not exist", e);
        } catch (IOException | SecurityException e) {
            throw new IllegalArgumentException("cannot read --cluster-secret-file " + file + ": " + e, e);
        }
        int length = content.length;
        if (length > 0 && content[length - 1] == '\n') {
            length--;
            if (length > 0 && content[length - 1] == '\r') {
                length--;
            }
        }
        try {
            if (length < MIN_BYTES) {
                throw new IllegalArgumentException("--cluster-secret-file " + file + " holds " + length
                        + " bytes; at least " + MIN_BYTES + " are needed");
            }
            return new ClusterSecret(Arrays.copyOf(content, length));
        } finally {
            Arrays.fill(content, (byte) 0);
        }
    }

    /** HMAC-SHA256 of {@code message} under this secret: 32 bytes. */
    byte[] hmac(byte[] message) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            // Every JDK has HmacSHA256 and accepts any non-empty key for it.
            throw new IllegalStateException("this JDK cannot compute " + ALGORITHM + ": " + e.getMessage(), e);
        }
    }

    /** Whether {@code proof} is the HMAC of {@code message}, compared in constant time. */
    boolean verifies(byte[] message, byte[] proof) {
        return MessageDigest.isEqual(hmac(message), proof);
    }

    /** Never the key. */
    @Override
    public String toString() {
        return "<secret>";
    }
}
