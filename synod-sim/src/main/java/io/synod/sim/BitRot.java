package io.synod.sim;

import io.synod.storage.RecordCodec;
import io.synod.storage.WalFormat;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Bit rot within the fault model: flips one byte of a durable log record that is followed by other durable records,
 * inside the bytes of a command, so that a reader that skipped the checksum would decode a different value. A torn
 * tail is a different fault (a crash's), so the last record of the log is never touched.
 */
final class BitRot {
    private BitRot() {}

    /** Returns true if it flipped a byte. */
    static boolean flipDurableByte(SimDisk disk, SplittableRandom random) {
        List<long[]> candidates = new ArrayList<>(); // {segment index in names, payload end offset}
        List<String> segments = new ArrayList<>();
        for (String name : disk.durableNames()) {
            if (WalFormat.segmentIndex(name) >= 0) {
                segments.add(name);
            }
        }
        for (int s = 0; s < segments.size(); s++) {
            SimDisk.Inode inode = disk.durableInode(segments.get(s));
            ByteBuffer bytes = ByteBuffer.wrap(inode.data, 0, inode.syncedLength);
            int position = WalFormat.SEGMENT_HEADER_BYTES;
            while (position + WalFormat.RECORD_HEADER_BYTES <= inode.syncedLength) {
                int length = bytes.getInt(position);
                byte type = inode.data[position + 4];
                int end = position + WalFormat.RECORD_HEADER_BYTES + length;
                if (length < 0 || end > inode.syncedLength) {
                    break;
                }
                boolean carriesCommands = (type == RecordCodec.ACCEPTED || type == RecordCodec.CHOSEN) && length > 40;
                if (carriesCommands) {
                    candidates.add(new long[] {s, end});
                }
                position = end;
            }
        }
        if (candidates.size() < 2) {
            return false;
        }
        long[] victim = candidates.get(random.nextInt(candidates.size() - 1)); // never the last record
        SimDisk.Inode inode = disk.durableInode(segments.get((int) victim[0]));
        int offset = (int) victim[1] - 1 - random.nextInt(3);
        inode.data[offset] ^= (byte) (1 + random.nextInt(255));
        return true;
    }
}
