package io.bulwark.runtime.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.agreement.AgreementNode;
import io.bulwark.agreement.FabConfig;
import io.bulwark.agreement.Persisted;
import io.bulwark.core.codec.MalformedMessageException;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.message.Accepted;
import io.bulwark.core.message.Reply;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agreement record codec and log compaction, on logs written by real cores. */
class AgreementRecoveryTest {
    static VirtualAgreementCluster cluster;
    static final int NODE = 2;

    @BeforeAll
    static void run() {
        FabConfig config = FabConfig.defaults(1, 1).withWindows(4, 16, 4, 16, 1024);
        cluster = new VirtualAgreementCluster(1, 1, config);
        long ts = 1;
        for (; ts <= 6; ts++) {
            cluster.submit(cluster.request(0, ts), 0);
            cluster.settle();
        }
        // slow path: no ACCEPTED gets through, acceptors sign their votes and commit
        cluster.drop = (from, e) -> e.m() instanceof Accepted;
        cluster.submit(cluster.request(0, ts++), 0);
        cluster.settle();
        cluster.advance(FabConfig.ms(100), FabConfig.ms(10));
        // leader change: node 0 goes silent, a request everybody knows of times out
        cluster.drop = (from, e) -> from == 0;
        cluster.submit(cluster.request(0, ts++), 0, 1, 2, 3, 4, 5);
        cluster.advance(FabConfig.ms(3000), FabConfig.ms(20));
        cluster.drop = (from, e) -> false;
        for (int i = 0; i < 12; i++) {
            cluster.submit(cluster.request(1, i + 1), 1);
            cluster.settle();
        }
        cluster.advance(FabConfig.ms(200), FabConfig.ms(20));
    }

    private static AgreementNode recover(List<Persisted> records) {
        return AgreementNode.recover(cluster.spec, cluster.config, NODE, cluster.signers.get(Principal.node(NODE)), cluster.keys,
                new int[0], records);
    }

    private static List<String> fingerprint(AgreementNode n) {
        List<String> f = new ArrayList<>();
        f.add("pn=" + n.pn() + " normal=" + n.isNormal() + " next=" + n.nextSlotToDeliver() + " stable=" + n.stableSlot()
                + " hash=" + n.learner().logHash());
        for (Persisted p : n.compactedState()) f.add(Arrays.toString(AgreementRecordCodec.encode(p)));
        return f;
    }

    @Test
    void theRunExercisesEveryKindOfRecord() {
        Set<String> kinds = cluster.disks[NODE].stream().map(p -> p.getClass().getSimpleName()).collect(Collectors.toSet());
        assertThat(kinds).contains("Promised", "EnteredView", "Voted", "Certified", "Stable", "Delivered");
        AgreementNode live = cluster.nodes[NODE];
        assertThat(live.pn()).isGreaterThanOrEqualTo(1);
        assertThat(live.nextSlotToDeliver()).isGreaterThan(8);
        assertThat(live.stableSlot()).isGreaterThanOrEqualTo(3);
        long replies = cluster.toClients.stream().filter(m -> m instanceof Reply).count();
        assertThat(replies).isGreaterThan(18);
    }

    @Test
    void everyRecordRoundTrips() throws MalformedMessageException {
        int n = 0;
        for (List<Persisted> disk : cluster.disks) {
            for (Persisted p : disk) {
                assertThat(AgreementRecordCodec.decode(AgreementRecordCodec.encode(p))).isEqualTo(p);
                n++;
            }
        }
        for (Persisted p : cluster.nodes[NODE].compactedState()) {
            assertThat(AgreementRecordCodec.decode(AgreementRecordCodec.encode(p))).isEqualTo(p);
        }
        assertThat(n).isGreaterThan(100);
    }

    @Test
    void badRecordsAreRejectedNotMisread() {
        byte[] ok = AgreementRecordCodec.encode(new Persisted.Promised(5));
        byte[] trailing = Arrays.copyOf(ok, ok.length + 1);
        assertThatThrownBy(() -> AgreementRecordCodec.decode(trailing)).isInstanceOf(MalformedMessageException.class);
        byte[] version = ok.clone();
        version[0] = 9;
        assertThatThrownBy(() -> AgreementRecordCodec.decode(version)).isInstanceOf(MalformedMessageException.class);
        byte[] tag = ok.clone();
        tag[1] = 99;
        assertThatThrownBy(() -> AgreementRecordCodec.decode(tag)).isInstanceOf(MalformedMessageException.class);
        assertThatThrownBy(() -> AgreementRecordCodec.decode(new byte[] {1})).isInstanceOf(MalformedMessageException.class);
    }

    @Test
    void recoveringFromTheCompactedStateEqualsRecoveringFromTheWholeLog() {
        List<Persisted> full = cluster.disks[NODE];
        AgreementNode fromFull = recover(full);
        AgreementNode fromCompacted = recover(cluster.nodes[NODE].compactedState());
        assertThat(fingerprint(fromCompacted)).isEqualTo(fingerprint(fromFull));
        assertThat(fingerprint(fromFull)).isEqualTo(fingerprint(cluster.nodes[NODE]));
    }

    @Test
    void compactionInTheMiddleOfTheLogPreservesRecovery(@TempDir Path dir) throws Exception {
        List<Persisted> full = cluster.disks[NODE];
        AgreementNode expected = recover(full);
        WriteAheadLog.Options o = new WriteAheadLog.Options(FsyncPolicy.NEVER, 10, 4096, 4096);
        for (int cut : new int[] {1, full.size() / 3, full.size() / 2, full.size() - 1}) {
            Path walDir = dir.resolve("cut-" + cut);
            try (WriteAheadLog wal = WriteAheadLog.open(walDir, o)) {
                for (int i = 0; i < full.size(); i++) {
                    if (i == cut) {
                        // the host compacts with the live node's state at this point of the log
                        List<byte[]> state = new ArrayList<>();
                        for (Persisted p : recover(full.subList(0, cut)).compactedState()) state.add(AgreementRecordCodec.encode(p));
                        wal.compact(state);
                    }
                    wal.append(AgreementRecordCodec.encode(full.get(i)));
                    wal.sync();
                }
            }
            List<Persisted> replayed = new ArrayList<>();
            try (WriteAheadLog wal = WriteAheadLog.open(walDir, o)) {
                for (byte[] b : wal.recoveredRecords()) replayed.add(AgreementRecordCodec.decode(b));
            }
            assertThat(replayed.getFirst()).isInstanceOf(Persisted.Compacted.class);
            assertThat(replayed.size()).isLessThan(full.size() + 40);
            assertThat(fingerprint(recover(replayed))).as("compacted at record " + cut).isEqualTo(fingerprint(expected));
        }
    }

    @Test
    void walRoundTripOfTheWholeLog(@TempDir Path dir) throws IOException, MalformedMessageException {
        List<Persisted> full = cluster.disks[NODE];
        try (WriteAheadLog wal = WriteAheadLog.open(dir, WriteAheadLog.Options.defaults(FsyncPolicy.NEVER))) {
            for (Persisted p : full) wal.append(AgreementRecordCodec.encode(p));
            wal.sync();
        }
        try (WriteAheadLog wal = WriteAheadLog.open(dir, WriteAheadLog.Options.defaults(FsyncPolicy.NEVER))) {
            List<Persisted> back = new ArrayList<>();
            for (byte[] b : wal.recoveredRecords()) back.add(AgreementRecordCodec.decode(b));
            assertThat(back).isEqualTo(full);
        }
    }
}
