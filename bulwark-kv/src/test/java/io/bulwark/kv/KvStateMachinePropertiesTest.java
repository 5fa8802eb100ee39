package io.bulwark.kv;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.crypto.Digest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** The state machine against a naive reference model, and determinism of snapshots and digests. */
class KvStateMachinePropertiesTest {

    @Provide
    Arbitrary<List<KvOperation>> programs() {
        return KvArbitraries.operations().list().ofMinSize(1).ofMaxSize(60);
    }

    /** A deliberately naive re-statement of the semantics (no size cap, allow-all). */
    private static KvResult reference(TreeMap<Bytes, Bytes> m, KvOperation op) {
        return switch (op) {
            case KvOperation.Put p -> {
                m.put(p.key(), p.value());
                yield KvResult.OK;
            }
            case KvOperation.Get g -> KvResult.Value.of(m.get(g.key()));
            case KvOperation.Delete d -> new KvResult.Deleted(m.remove(d.key()) != null);
            case KvOperation.CompareAndSet c -> {
                Bytes cur = m.get(c.key());
                if (!Objects.equals(cur, c.expected())) yield KvResult.CasResult.of(false, cur);
                if (c.newValue() == null) m.remove(c.key());
                else m.put(c.key(), c.newValue());
                yield KvResult.CasResult.of(true, c.newValue());
            }
            case KvOperation.Scan s -> {
                List<Map.Entry<Bytes, Bytes>> all = new ArrayList<>();
                for (Map.Entry<Bytes, Bytes> e : m.entrySet()) {
                    if (s.contains(e.getKey())) all.add(Map.entry(e.getKey(), e.getValue()));
                }
                boolean truncated = all.size() > s.limit();
                yield new KvResult.ScanResult(truncated ? all.subList(0, s.limit()) : all, truncated);
            }
        };
    }

    @Property(tries = 300, seed = "31")
    void agreesWithTheReferenceModel(@ForAll("programs") List<KvOperation> program) throws Exception {
        KvStateMachine sm = new KvStateMachine();
        TreeMap<Bytes, Bytes> model = new TreeMap<>();
        for (KvOperation op : program) {
            KvResult expected = reference(model, op);
            KvResult actual = KvResult.decode(sm.execute(1, op.encode(), 0));
            assertThat(actual).as(op.toString()).isEqualTo(expected);
        }
        assertThat(sm.size()).isEqualTo(model.size());
        long bytes = 0;
        for (Map.Entry<Bytes, Bytes> e : model.entrySet()) bytes += KvStateMachine.entryBytes(e.getKey(), e.getValue());
        assertThat(sm.storeBytes()).isEqualTo(bytes);
    }

    @Property(tries = 200, seed = "32")
    void snapshotsAndDigestsAreDeterministicAcrossRestores(
            @ForAll("programs") List<KvOperation> program, @ForAll @IntRange(min = 0, max = 60) int cut) {
        KvStateMachine a = new KvStateMachine();
        KvStateMachine b = new KvStateMachine();
        int at = Math.min(cut, program.size());
        for (int i = 0; i < program.size(); i++) {
            if (i == at) {
                // b catches up by state transfer at the cut, then both go on executing
                b.restore(a.snapshot());
                assertThat(b.digest()).isEqualTo(a.digest());
            }
            Bytes op = program.get(i).encode();
            Bytes ra = a.execute(1, op, i);
            if (i >= at) assertThat(b.execute(1, op, i)).isEqualTo(ra);
        }
        if (at == program.size()) b.restore(a.snapshot());
        assertThat(b.snapshot()).isEqualTo(a.snapshot());
        assertThat(b.digest()).isEqualTo(a.digest()).isEqualTo(Digest.sha256(a.snapshot().toByteArray()));
        assertThat(b.storeBytes()).isEqualTo(a.storeBytes());
    }

    @Property(tries = 200, seed = "33")
    void theSizeCapIsNeverExceeded(@ForAll("programs") List<KvOperation> program,
                                   @ForAll @IntRange(min = 0, max = 2000) int cap) throws Exception {
        KvStateMachine sm = new KvStateMachine(KvConfig.DEFAULTS.withMaxStoreBytes(cap), AccessPolicy.ALLOW_ALL);
        for (KvOperation op : program) {
            Bytes before = sm.snapshot();
            KvResult r = KvResult.decode(sm.execute(1, op.encode(), 0));
            assertThat(sm.storeBytes()).isLessThanOrEqualTo(cap);
            if (r instanceof KvResult.Error e) {
                assertThat(e.code()).isEqualTo(KvErrorCode.STORE_FULL);
                assertThat(sm.snapshot()).isEqualTo(before);
            }
        }
    }
}
