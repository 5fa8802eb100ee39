package io.bulwark.runtime.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WriteAheadLogTest {
    @TempDir
    Path dir;

    @TempDir
    Path scratch;

    private static WriteAheadLog.Options opts(FsyncPolicy p) {
        return new WriteAheadLog.Options(p, 10, 64L << 20, 1L << 30);
    }

    private static byte[] rec(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> strings(List<byte[]> records) {
        List<String> out = new ArrayList<>();
        for (byte[] b : records) out.add(new String(b, StandardCharsets.UTF_8));
        return out;
    }

    private List<String> reopen(WriteAheadLog.Options o) throws IOException {
        try (WriteAheadLog wal = WriteAheadLog.open(dir, o)) {
            return strings(wal.recoveredRecords());
        }
    }

    @Test
    void appendSyncAndReplayInOrder() throws IOException {
        try (WriteAheadLog wal = WriteAheadLog.open(dir, opts(FsyncPolicy.ALWAYS))) {
            assertThat(wal.recoveredRecords()).isEmpty();
            wal.append(rec("a"));
            wal.append(rec("bb"));
            wal.sync();
            wal.append(new byte[0]);
            wal.append(rec("ccc"));
            wal.sync();
            assertThat(wal.stats().fsyncs()).isEqualTo(2); // one per batch: group commit
            assertThat(wal.stats().records()).isEqualTo(4);
        }
        assertThat(reopen(opts(FsyncPolicy.ALWAYS))).containsExactly("a", "bb", "", "ccc");
        // and again after appending more
        try (WriteAheadLog wal = WriteAheadLog.open(dir, opts(FsyncPolicy.NEVER))) {
            wal.append(rec("d"));
            wal.sync();
            assertThat(wal.stats().fsyncs()).isZero();
        }
        assertThat(reopen(opts(FsyncPolicy.INTERVAL))).containsExactly("a", "bb", "", "ccc", "d");
    }

    @Test
    void unsyncedRecordsAreNotWritten() throws IOException {
        WriteAheadLog wal = WriteAheadLog.open(dir, opts(FsyncPolicy.ALWAYS));
        wal.append(rec("kept"));
        wal.sync();
        wal.append(rec("buffered only"));
        // simulate a crash: the process dies without sync/close (nothing of the second record reached the file)
        Path segment = wal.segmentFiles().getFirst();
        long size = Files.size(segment);
        assertThat(size).isEqualTo(WriteAheadLog.HEADER_BYTES + WriteAheadLog.RECORD_HEADER_BYTES + 4);
        assertThat(reopenCopy(segment)).containsExactly("kept");
    }

    /** Replays a copy of the segment in another directory (the original log is still open). */
    private List<String> reopenCopy(Path segment) throws IOException {
        Path other = scratch.resolve("copy");
        Files.createDirectories(other);
        Files.copy(segment, other.resolve(segment.getFileName()));
        try (WriteAheadLog wal = WriteAheadLog.open(other, opts(FsyncPolicy.ALWAYS))) {
            return strings(wal.recoveredRecords());
        }
    }

    @Test
    void tornTailIsTruncatedAndTheLogGoesOn() throws IOException {
        Path segment;
        try (WriteAheadLog wal = WriteAheadLog.open(dir, opts(FsyncPolicy.ALWAYS))) {
            for (int i = 0; i < 5; i++) wal.append(rec("record-" + i));
            wal.sync();
            segment = wal.segmentFiles().getFirst();
        }
        long full = Files.size(segment);
        // a crash in the middle of writing the last record
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
            f.setLength(full - 3);
        }
        try (WriteAheadLog wal = WriteAheadLog.open(dir, opts(FsyncPolicy.ALWAYS))) {
            assertThat(strings(wal.recoveredRecords())).containsExactly("record-0", "record-1", "record-2", "record-3");
            assertThat(wal.recovery().truncatedBytes()).isEqualTo(WriteAheadLog.RECORD_HEADER_BYTES + 8 - 3);
            assertThat(Files.size(segment)).isEqualTo(full - WriteAheadLog.RECORD_HEADER_BYTES - 8);
            wal.append(rec("after"));
            wal.sync();
        }
        assertThat(reopen(opts(FsyncPolicy.ALWAYS))).containsExactly("record-0", "record-1", "record-2", "record-3", "after");

        // a torn record header (only 5 of its 8 bytes)
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
            f.seek(f.length());
            f.write(new byte[] {0, 0, 0, 9, 1});
        }
        assertThat(reopen(opts(FsyncPolicy.ALWAYS))).containsExactly("record-0", "record-1", "record-2", "record-3", "after");
    }

    @Test
    void crcCorruptionStopsReplayThere() throws IOException {
        Path segment;
        try (WriteAheadLog wal = WriteAheadLog.open(dir, opts(FsyncPolicy.ALWAYS))) {
            for (int i = 0; i < 6; i++) wal.append(rec("record-" + i));
            wal.sync();
            segment = wal.segmentFiles().getFirst();
        }
        // flip one payload byte of record 3
        long offset = WriteAheadLog.HEADER_BYTES + 3L * (WriteAheadLog.RECORD_HEADER_BYTES + 8) + WriteAheadLog.RECORD_HEADER_BYTES + 2;
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
            f.seek(offset);
            int b = f.read();
            f.seek(offset);
            f.write(b ^ 0x40);
        }
        try (WriteAheadLog wal = WriteAheadLog.open(dir, opts(FsyncPolicy.ALWAYS))) {
            assertThat(strings(wal.recoveredRecords())).containsExactly("record-0", "record-1", "record-2");
            assertThat(wal.recovery().truncatedBytes()).isEqualTo(3L * (WriteAheadLog.RECORD_HEADER_BYTES + 8));
        }
        // an impossible length field is corruption too
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
            f.seek(f.length());
            f.writeInt(-5);
            f.writeInt(0);
        }
        assertThat(reopen(opts(FsyncPolicy.ALWAYS))).containsExactly("record-0", "record-1", "record-2");
    }

    @Test
    void segmentsRollAndCorruptionInOneDropsTheLaterOnes() throws IOException {
        WriteAheadLog.Options small = new WriteAheadLog.Options(FsyncPolicy.ALWAYS, 10, 4096, 1L << 30);
        List<String> written = new ArrayList<>();
        List<Path> segments;
        try (WriteAheadLog wal = WriteAheadLog.open(dir, small)) {
            for (int i = 0; i < 40; i++) {
                String s = "record-" + i + "-" + "x".repeat(300);
                written.add(s);
                wal.append(rec(s));
                wal.sync();
            }
            segments = wal.segmentFiles();
        }
        assertThat(segments).hasSizeGreaterThan(2);
        assertThat(reopen(small)).isEqualTo(written);

        // corrupt the first record of the second segment: everything from there on is gone
        try (RandomAccessFile f = new RandomAccessFile(segments.get(1).toFile(), "rw")) {
            f.seek(WriteAheadLog.HEADER_BYTES + WriteAheadLog.RECORD_HEADER_BYTES);
            f.write('!');
        }
        int inFirst;
        try (WriteAheadLog wal = WriteAheadLog.open(dir, small)) {
            List<String> got = strings(wal.recoveredRecords());
            inFirst = got.size();
            assertThat(got).isEqualTo(written.subList(0, inFirst));
            assertThat(wal.recovery().deletedSegments()).isEqualTo(segments.size() - 2);
            assertThat(wal.segmentFiles()).hasSize(2);
        }
        assertThat(inFirst).isBetween(5, 15);
    }

    @Test
    void compactionReplacesTheLogAtomically() throws IOException {
        WriteAheadLog.Options o = new WriteAheadLog.Options(FsyncPolicy.ALWAYS, 10, 4096, 8192);
        try (WriteAheadLog wal = WriteAheadLog.open(dir, o)) {
            for (int i = 0; i < 60; i++) {
                wal.append(rec("old-" + i + "-" + "y".repeat(200)));
                wal.sync();
            }
            assertThat(wal.needsCompaction()).isTrue();
            assertThat(wal.segmentFiles()).hasSizeGreaterThan(1);
            wal.compact(List.of(rec("state-1"), rec("state-2")));
            assertThat(wal.needsCompaction()).isFalse();
            assertThat(wal.segmentFiles()).hasSize(1);
            assertThat(wal.stats().compactions()).isEqualTo(1);
            wal.append(rec("new-1"));
            wal.sync();
        }
        assertThat(reopen(o)).containsExactly("state-1", "state-2", "new-1");
        try (var files = Files.list(dir)) {
            assertThat(files.count()).isEqualTo(1);
        }
    }

    @Test
    void crashDuringCompactionKeepsEitherTheOldLogOrTheNewBase() throws IOException {
        WriteAheadLog.Options o = opts(FsyncPolicy.ALWAYS);
        Path oldSegment;
        try (WriteAheadLog wal = WriteAheadLog.open(dir, o)) {
            wal.append(rec("a"));
            wal.append(rec("b"));
            wal.sync();
            oldSegment = wal.segmentFiles().getFirst();
        }
        // crash before the rename: a leftover .tmp is ignored (and removed)
        Files.writeString(dir.resolve("wal-0000000000000002.log.tmp"), "half a base segment");
        assertThat(reopen(o)).containsExactly("a", "b");
        assertThat(Files.exists(dir.resolve("wal-0000000000000002.log.tmp"))).isFalse();

        // crash after the rename but before deleting the old segment: the new base wins
        Path saved = scratch.resolve("saved.log");
        Files.copy(oldSegment, saved);
        try (WriteAheadLog wal = WriteAheadLog.open(dir, o)) {
            wal.compact(List.of(rec("ab")));
        }
        Files.copy(saved, oldSegment); // the deletion "did not happen"
        try (WriteAheadLog wal = WriteAheadLog.open(dir, o)) {
            assertThat(strings(wal.recoveredRecords())).containsExactly("ab");
            assertThat(wal.recovery().deletedSegments()).isEqualTo(1);
        }
        assertThat(Files.exists(oldSegment)).isFalse();
    }

    @Test
    void intervalPolicyFsyncsInTheBackground() throws Exception {
        try (WriteAheadLog wal = WriteAheadLog.open(dir, opts(FsyncPolicy.INTERVAL))) {
            wal.append(rec("x"));
            assertThat(wal.sync()).isZero();
            Awaitility.await("a background fsync").atMost(2, TimeUnit.SECONDS).until(() -> wal.stats().fsyncs() > 0);
            assertThat(wal.stats().fsyncs()).isGreaterThan(0);
        }
    }

    @Test
    void checkpointStoreKeepsTheNewestTwoAtomically() throws IOException {
        CheckpointStore store = new CheckpointStore(dir.resolve("checkpoints"));
        for (long slot : new long[] {63, 127, 191}) store.write(slot, io.bulwark.core.bytes.Bytes.ofUtf8("state@" + slot));
        assertThat(store.slots()).containsExactly(127L, 191L);
        assertThat(store.read(63)).isNull();
        assertThat(store.read(191).toUtf8()).isEqualTo("state@191");
        Files.writeString(dir.resolve("checkpoints/255.state.tmp"), "torn");
        CheckpointStore reopened = new CheckpointStore(dir.resolve("checkpoints"));
        assertThat(reopened.slots()).containsExactly(127L, 191L);
        assertThat(reopened.latest()).isEqualTo(191);
        assertThat(Files.exists(dir.resolve("checkpoints/255.state.tmp"))).isFalse();
    }

    /** Not a check: prints how long an fsync of a 4 KiB append takes on this machine. */
    @Test
    void measureFsyncLatencyOf4KiBAppends() throws IOException {
        byte[] page = new byte[4096 - WriteAheadLog.RECORD_HEADER_BYTES];
        int n = 200;
        long[] nanos = new long[n];
        try (WriteAheadLog wal = WriteAheadLog.open(dir, opts(FsyncPolicy.ALWAYS))) {
            for (int i = 0; i < n; i++) {
                wal.append(page);
                long t = System.nanoTime();
                wal.sync();
                nanos[i] = System.nanoTime() - t;
            }
        }
        java.util.Arrays.sort(nanos);
        System.out.printf("WAL 4 KiB append+fsync on %s: p50=%.3f ms p99=%.3f ms max=%.3f ms%n", dir, nanos[n / 2] / 1e6,
                nanos[n * 99 / 100] / 1e6, nanos[n - 1] / 1e6);
    }
}
