package io.synod.kv;

import com.google.protobuf.ByteString;
import io.synod.kv.proto.Delete;
import io.synod.kv.proto.KvCommand;
import io.synod.kv.proto.Put;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * What makes two requests "the same request" for an idempotency key (draft-ietf-httpapi-idempotency-key-header
 * §2.7): the operation, the key, the value and the conditions. The fingerprint is SHA-256 over a canonical encoding
 * of exactly those, written out field by field (never protobuf's encoding, whose bytes a library upgrade may change),
 * so every replica computes the same 32 bytes from the same command.
 *
 * <pre>
 *   byte   operation: 1 put, 2 delete, 3 no-op, 0 none (a bad command)
 *   int    key length, key bytes          (put, delete)
 *   int    value length, value bytes      (put)
 *   byte   condition: 0 none, 1 If-Match, 2 create only
 *   long   expected version               (If-Match only)
 * </pre>
 */
final class RequestFingerprint {
    /** Bytes of a fingerprint. */
    static final int BYTES = 32;

    private static final byte PUT = 1;
    private static final byte DELETE = 2;
    private static final byte NOOP = 3;
    private static final byte NO_OPERATION = 0;
    private static final byte NO_CONDITION = 0;
    private static final byte IF_MATCH = 1;
    private static final byte CREATE_ONLY = 2;

    private RequestFingerprint() {}

    /** The fingerprint of {@code command}'s request; the idempotency key itself is not part of it. */
    static byte[] of(KvCommand command) {
        MessageDigest digest = sha256();
        switch (command.getOperationCase()) {
            case PUT -> {
                Put put = command.getPut();
                digest.update(PUT);
                update(digest, put.getKey());
                update(digest, put.getValue());
                if (put.hasExpectedVersion()) {
                    digest.update(IF_MATCH);
                    updateLong(digest, put.getExpectedVersion());
                } else {
                    digest.update(put.getCreateOnly() ? CREATE_ONLY : NO_CONDITION);
                }
            }
            case DELETE -> {
                Delete delete = command.getDelete();
                digest.update(DELETE);
                update(digest, delete.getKey());
                if (delete.hasExpectedVersion()) {
                    digest.update(IF_MATCH);
                    updateLong(digest, delete.getExpectedVersion());
                } else {
                    digest.update(NO_CONDITION);
                }
            }
            case NOOP -> digest.update(NOOP);
            case OPERATION_NOT_SET -> digest.update(NO_OPERATION);
        }
        return digest.digest();
    }

    private static void update(MessageDigest digest, ByteString bytes) {
        updateInt(digest, bytes.size());
        digest.update(bytes.asReadOnlyByteBuffer());
    }

    private static void updateInt(MessageDigest digest, int value) {
        digest.update(new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value});
    }

    private static void updateLong(MessageDigest digest, long value) {
        updateInt(digest, (int) (value >>> 32));
        updateInt(digest, (int) value);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException("every Java runtime has SHA-256", impossible);
        }
    }
}
