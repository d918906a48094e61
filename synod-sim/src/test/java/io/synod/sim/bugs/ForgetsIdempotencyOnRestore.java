package io.synod.sim.bugs;

import io.synod.kv.KvStore;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/**
 * Planted bug: the idempotency table is not restored from a snapshot. The snapshot's bytes are rewritten on their
 * way in so that its table section is empty (format 2: header, revision, keys, then the table), so a replica started
 * from a snapshot applies retries of requests it had already applied once more.
 */
public final class ForgetsIdempotencyOnRestore extends ForwardingStore {
    private static final int END_MARKER = 0x454E4421;

    public ForgetsIdempotencyOnRestore(KvStore delegate) {
        super(delegate);
    }

    @Override
    public void restore(SnapshotSource source) {
        byte[] all = readAll(source);
        ByteBuffer in = ByteBuffer.wrap(all);
        in.position(4 + 4 + 8 + 8); // magic, format, last command slot, revision
        long keys = in.getLong();
        for (long i = 0; i < keys; i++) {
            skipBytes(in);
            skipBytes(in);
            in.getLong();
        }
        int tableAt = in.position();
        ByteBuffer out = ByteBuffer.allocate(tableAt + 8 + 4);
        out.put(all, 0, tableAt).putLong(0).putInt(END_MARKER);
        byte[] withoutTable = out.array();
        int[] position = {0};
        delegate.restore((buffer, offset, length) -> {
            if (position[0] >= withoutTable.length) {
                return -1;
            }
            int n = Math.min(length, withoutTable.length - position[0]);
            System.arraycopy(withoutTable, position[0], buffer, offset, n);
            position[0] += n;
            return n;
        });
    }

    private static void skipBytes(ByteBuffer in) {
        int length = in.getInt();
        in.position(in.position() + length);
    }

    private static byte[] readAll(SnapshotSource source) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] buffer = new byte[8_192];
        for (int n = source.read(buffer, 0, buffer.length); n >= 0; n = source.read(buffer, 0, buffer.length)) {
            bytes.write(buffer, 0, n);
        }
        return bytes.toByteArray();
    }
}
