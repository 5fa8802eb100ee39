package io.bulwark.runtime.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An append-only log of opaque records in segment files {@code <dir>/wal-<n>.log}.
 *
 * <pre>
 * segment = header record*
 * header  = "BWAL" u8(version=1) u8(kind: 1 = base, 0 = continuation) u16(0)
 * record  = u32(length) u32(CRC32C of payload) payload      (big-endian)
 * </pre>
 *
 * <p><b>Recovery.</b> {@link #open} replays from the newest <em>base</em> segment (the first
 * segment ever, or the one a compaction wrote) through every later segment, and stops at the
 * first record that is torn (shorter than its header says) or corrupt (bad CRC, impossible
 * length): that segment is truncated there and any later segment is deleted. Records are
 * written in order and fsynced as a group, so what is lost is an unsynced tail, never a
 * record in the middle of what recovery returns.
 *
 * <p><b>Writing.</b> The owning thread {@link #append}s records (buffered in memory) and calls
 * {@link #sync} once per batch: one {@code write} to the OS and, under {@link FsyncPolicy#ALWAYS},
 * one fsync (group commit). Under {@link FsyncPolicy#INTERVAL} a daemon thread fsyncs every
 * interval; under {@link FsyncPolicy#NEVER} nothing does. Segments roll at {@code segmentBytes}.
 *
 * <p><b>Compaction.</b> When {@link #needsCompaction()}, the owner passes records that alone
 * rebuild its state to {@link #compact}: they are written to {@code wal-<n+1>.log.tmp} as a base
 * segment, fsynced, renamed into place (the atomic commit point; the directory is fsynced), and
 * only then are the older segments deleted. A crash at any point leaves either the old segments
 * or the new base (plus perhaps old segments, deleted at the next open).
 *
 * <p>Not thread-safe except for the interval fsync thread it owns: one writer thread.
 */
public final class WriteAheadLog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WriteAheadLog.class);

    public static final int RECORD_BYTES_MAX = 64 * 1024 * 1024;
    static final int HEADER_BYTES = 8;
    static final int RECORD_HEADER_BYTES = 8;
    private static final byte[] MAGIC = {'B', 'W', 'A', 'L'};
    private static final int VERSION = 1;
    private static final int KIND_CONTINUATION = 0;
    private static final int KIND_BASE = 1;

    /** Tunables. */
    public record Options(FsyncPolicy policy, long intervalMillis, long segmentBytes, long compactBytes) {
        public Options {
            if (policy == null) throw new IllegalArgumentException("policy");
            if (intervalMillis < 1) throw new IllegalArgumentException("intervalMillis < 1");
            if (segmentBytes < 4096) throw new IllegalArgumentException("segmentBytes < 4096");
            if (compactBytes < 4096) throw new IllegalArgumentException("compactBytes < 4096");
        }

        /** 64 MiB segments, compaction past 256 MiB of live log, 100 ms interval fsyncs. */
        public static Options defaults(FsyncPolicy policy) {
            return new Options(policy, 100, 64L << 20, 256L << 20);
        }
    }

    /** What {@link #open} found. */
    public record Recovery(List<byte[]> records, int segments, long truncatedBytes, int deletedSegments) {}

    private final Path dir;
    private final Options options;
    private final WalStats stats = new WalStats();
    private final CRC32C crc = new CRC32C();
    private final TreeMap<Long, Path> segments = new TreeMap<>();
    private ByteBuffer pending = ByteBuffer.allocate(64 * 1024);
    private Recovery recovery;
    private volatile FileChannel active;
    private long activeIndex;
    private long activeSize;
    private long liveBytes;
    private long baseBytes;
    private volatile boolean dirty;
    private ScheduledExecutorService intervalSyncer;
    private boolean closed;

    private WriteAheadLog(Path dir, Options options) {
        this.dir = dir;
        this.options = options;
    }

    /** Opens (creating if needed) the log in {@code dir} and recovers its records. */
    public static WriteAheadLog open(Path dir, Options options) throws IOException {
        WriteAheadLog wal = new WriteAheadLog(dir, options);
        wal.recover();
        if (options.policy() == FsyncPolicy.INTERVAL) {
            wal.intervalSyncer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "wal-interval-fsync");
                t.setDaemon(true);
                return t;
            });
            wal.intervalSyncer.scheduleWithFixedDelay(wal::intervalSync, options.intervalMillis(), options.intervalMillis(),
                    TimeUnit.MILLISECONDS);
        }
        return wal;
    }

    public Recovery recovery() {
        return recovery;
    }

    /** The records recovered at open, in the order they were appended. */
    public List<byte[]> recoveredRecords() {
        return recovery.records();
    }

    public WalStats stats() {
        return stats;
    }

    public Options options() {
        return options;
    }

    // ---------------------------------------------------------------- recovery

    private void recover() throws IOException {
        Files.createDirectories(dir);
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (name.endsWith(".tmp")) {
                    Files.deleteIfExists(p); // an unfinished compaction: the old segments still hold everything
                } else if (name.startsWith("wal-") && name.endsWith(".log")) {
                    try {
                        segments.put(Long.parseLong(name.substring(4, name.length() - 4)), p);
                    } catch (NumberFormatException e) {
                        log.warn("ignoring unexpected file {} in the write-ahead log directory", p);
                    }
                }
            }
        }
        List<byte[]> records = new ArrayList<>();
        long truncated = 0;
        int deleted = 0;
        // Start at the newest complete base segment; anything older was compacted away.
        Long base = null;
        for (Long index : segments.descendingKeySet()) {
            if (kindOf(segments.get(index)) == KIND_BASE) {
                base = index;
                break;
            }
        }
        if (base != null) {
            for (Long index : new ArrayList<>(segments.headMap(base, false).keySet())) {
                Files.deleteIfExists(segments.remove(index));
                deleted++;
            }
        }
        boolean stopped = false;
        for (Long index : new ArrayList<>(segments.keySet())) {
            Path p = segments.get(index);
            if (stopped) {
                log.warn("write-ahead log: deleting {} after a torn or corrupt record in an earlier segment", p);
                truncated += Files.size(p);
                Files.delete(p);
                segments.remove(index);
                deleted++;
                continue;
            }
            Replay r = replay(p, records, index.equals(segments.firstKey()));
            liveBytes += r.validEnd;
            if (r.validEnd < r.fileSize) {
                stopped = true;
                truncated += r.fileSize - r.validEnd;
                if (r.validEnd < HEADER_BYTES) {
                    log.warn("write-ahead log: segment {} has no valid header; deleting it", p);
                    Files.delete(p);
                    segments.remove(index);
                    deleted++;
                    liveBytes -= r.validEnd;
                } else {
                    log.warn("write-ahead log: {} bytes of torn or corrupt tail in {} truncated at offset {} ({})",
                            r.fileSize - r.validEnd, p, r.validEnd, r.problem);
                    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
                        ch.truncate(r.validEnd);
                        ch.force(true);
                    }
                }
            }
        }
        if (segments.isEmpty()) {
            createSegment(1, KIND_BASE);
        } else {
            activeIndex = segments.lastKey();
            active = FileChannel.open(segments.get(activeIndex), StandardOpenOption.WRITE);
            activeSize = active.size();
            active.position(activeSize);
        }
        baseBytes = Math.min(liveBytes, options.compactBytes());
        stats.liveBytes.set(liveBytes);
        recovery = new Recovery(List.copyOf(records), segments.size(), truncated, deleted);
    }

    private record Replay(long validEnd, long fileSize, String problem) {}

    private static int kindOf(Path p) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES);
            while (h.hasRemaining() && ch.read(h) >= 0) { }
            if (h.hasRemaining()) return -1;
            h.flip();
            for (byte m : MAGIC) {
                if (h.get() != m) return -1;
            }
            if ((h.get() & 0xff) != VERSION) return -1;
            return h.get() & 0xff;
        }
    }

    private Replay replay(Path p, List<byte[]> out, boolean first) throws IOException {
        long size = Files.size(p);
        int kind = kindOf(p);
        if (kind != KIND_BASE && kind != KIND_CONTINUATION) return new Replay(0, size, "bad header");
        if (first && kind != KIND_BASE) log.warn("write-ahead log: oldest segment {} is not a base segment", p);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            long pos = HEADER_BYTES;
            ByteBuffer head = ByteBuffer.allocate(RECORD_HEADER_BYTES);
            while (pos < size) {
                if (size - pos < RECORD_HEADER_BYTES) return new Replay(pos, size, "torn record header");
                head.clear();
                readFully(ch, head, pos);
                head.flip();
                int length = head.getInt();
                int expectedCrc = head.getInt();
                if (length < 0 || length > RECORD_BYTES_MAX) return new Replay(pos, size, "impossible length " + length);
                if (size - pos - RECORD_HEADER_BYTES < length) return new Replay(pos, size, "torn record");
                ByteBuffer payload = ByteBuffer.allocate(length);
                readFully(ch, payload, pos + RECORD_HEADER_BYTES);
                byte[] bytes = payload.array();
                crc.reset();
                crc.update(bytes, 0, length);
                if ((int) crc.getValue() != expectedCrc) return new Replay(pos, size, "CRC mismatch");
                out.add(bytes);
                pos += RECORD_HEADER_BYTES + length;
            }
            return new Replay(pos, size, null);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) throw new IOException("unexpected end of file");
            pos += n;
        }
    }

    private static Path segmentPath(Path dir, long index) {
        return dir.resolve(String.format("wal-%016d.log", index));
    }

    private static ByteBuffer header(int kind) {
        ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES);
        h.put(MAGIC).put((byte) VERSION).put((byte) kind).putShort((short) 0);
        return h.flip();
    }

    private void createSegment(long index, int kind) throws IOException {
        Path p = segmentPath(dir, index);
        FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        writeFully(ch, header(kind));
        if (options.policy() != FsyncPolicy.NEVER) ch.force(true);
        fsyncDirectory();
        segments.put(index, p);
        active = ch;
        activeIndex = index;
        activeSize = HEADER_BYTES;
        liveBytes += HEADER_BYTES;
        stats.liveBytes.set(liveBytes);
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) ch.write(buf);
    }

    private void fsyncDirectory() throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // some file systems cannot fsync a directory; the rename is then as durable as they make it
        }
    }

    // ---------------------------------------------------------------- writing

    /** Buffers one record; nothing reaches the file before {@link #sync}. */
    public void append(byte[] payload) {
        append(payload, 0, payload.length);
    }

    public void append(byte[] payload, int offset, int length) {
        if (closed) throw new IllegalStateException("write-ahead log is closed");
        if (length > RECORD_BYTES_MAX) throw new IllegalArgumentException("record of " + length + " bytes exceeds " + RECORD_BYTES_MAX);
        if (pending.remaining() < RECORD_HEADER_BYTES + length) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(pending.capacity() * 2, pending.position() + RECORD_HEADER_BYTES + length));
            pending.flip();
            bigger.put(pending);
            pending = bigger;
        }
        crc.reset();
        crc.update(payload, offset, length);
        pending.putInt(length).putInt((int) crc.getValue()).put(payload, offset, length);
        stats.records.increment();
    }

    /** Whether records were appended since the last {@link #sync}. */
    public boolean hasPending() {
        return pending.position() > 0;
    }

    /**
     * Writes the buffered records to the OS in one write, then fsyncs under
     * {@link FsyncPolicy#ALWAYS}. Returns the nanoseconds spent in fsync (0 if none).
     */
    public long sync() throws IOException {
        return sync(true);
    }

    /**
     * As {@link #sync()}, but with {@code durable} false the records only reach the OS now and
     * the disk at the next durable sync (or interval): for records nothing sent depends on.
     */
    public long sync(boolean durable) throws IOException {
        if (closed) throw new IllegalStateException("write-ahead log is closed");
        long fsyncNanos = 0;
        if (pending.position() > 0) {
            pending.flip();
            int n = pending.remaining();
            writeFully(active, pending);
            pending.clear();
            activeSize += n;
            liveBytes += n;
            stats.bytesWritten.add(n);
            stats.liveBytes.set(liveBytes);
            if (options.policy() == FsyncPolicy.ALWAYS && durable) {
                fsyncNanos = force(active);
                dirty = false;
            } else {
                dirty = true;
            }
        }
        if (activeSize >= options.segmentBytes()) roll();
        return fsyncNanos;
    }

    private long force(FileChannel ch) throws IOException {
        long start = System.nanoTime();
        ch.force(false);
        long nanos = System.nanoTime() - start;
        stats.recordFsync(nanos);
        return nanos;
    }

    private void intervalSync() {
        if (!dirty) return;
        dirty = false;
        FileChannel ch = active;
        try {
            force(ch);
        } catch (ClosedChannelException rolledOrClosed) {
            // the segment was rolled (and forced) or the log closed meanwhile
        } catch (IOException e) {
            log.error("write-ahead log: interval fsync failed: {}", e.toString());
        }
    }

    private void roll() throws IOException {
        FileChannel old = active;
        if (options.policy() != FsyncPolicy.NEVER) force(old);
        createSegment(activeIndex + 1, KIND_CONTINUATION);
        old.close();
    }

    /** Whether the live log has grown enough that the owner should {@link #compact} it. */
    public boolean needsCompaction() {
        return liveBytes > Math.max(options.compactBytes(), 4 * baseBytes);
    }

    public long liveBytes() {
        return liveBytes;
    }

    /**
     * Replaces the whole log by {@code records}, which must rebuild the owner's current state
     * on their own. Call after {@link #sync}; always fsyncs, whatever the policy.
     */
    public void compact(List<byte[]> records) throws IOException {
        if (closed) throw new IllegalStateException("write-ahead log is closed");
        if (pending.position() > 0) sync();
        long index = activeIndex + 1;
        Path target = segmentPath(dir, index);
        Path tmp = dir.resolve(target.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        long size = HEADER_BYTES;
        FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            writeFully(ch, header(KIND_BASE));
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            for (byte[] r : records) {
                if (r.length > RECORD_BYTES_MAX) throw new IllegalArgumentException("record too large");
                if (buf.remaining() < RECORD_HEADER_BYTES + r.length) {
                    buf.flip();
                    writeFully(ch, buf);
                    buf.clear();
                    if (buf.capacity() < RECORD_HEADER_BYTES + r.length) buf = ByteBuffer.allocate(RECORD_HEADER_BYTES + r.length);
                }
                crc.reset();
                crc.update(r, 0, r.length);
                buf.putInt(r.length).putInt((int) crc.getValue()).put(r);
                size += RECORD_HEADER_BYTES + r.length;
            }
            buf.flip();
            writeFully(ch, buf);
            force(ch);
        } catch (IOException | RuntimeException e) {
            ch.close();
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        fsyncDirectory();
        // Commit point passed: the new base holds everything.
        FileChannel old = active;
        active = ch;
        activeIndex = index;
        activeSize = size;
        old.close();
        for (Long i : new ArrayList<>(segments.keySet())) Files.deleteIfExists(segments.remove(i));
        segments.put(index, target);
        fsyncDirectory();
        liveBytes = size;
        baseBytes = size;
        stats.liveBytes.set(liveBytes);
        stats.compactions.increment();
        stats.bytesWritten.add(size);
    }

    /** Writes and fsyncs what is pending, whatever the policy, and closes the files. */
    @Override
    public void close() throws IOException {
        if (closed) return;
        if (intervalSyncer != null) {
            // never interrupt it: an interrupted FileChannel operation closes the channel
            intervalSyncer.shutdown();
            try {
                intervalSyncer.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            if (pending.position() > 0) sync();
            force(active);
        } finally {
            closed = true;
            active.close();
        }
    }

    public Path dir() {
        return dir;
    }

    /** Segment files now in use, oldest first (for tests and tools). */
    public List<Path> segmentFiles() {
        return List.copyOf(segments.values());
    }
}
