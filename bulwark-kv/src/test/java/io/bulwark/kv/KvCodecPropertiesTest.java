package io.bulwark.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.codec.MalformedMessageException;
import io.bulwark.core.codec.MalformedMessageException.Reason;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Round trips and strict decoding of operations and results over generated values and garbage. */
class KvCodecPropertiesTest {

    @Provide
    Arbitrary<KvOperation> operations() {
        return KvArbitraries.operations();
    }

    @Provide
    Arbitrary<KvResult> results() {
        return KvArbitraries.results();
    }

    @Property(tries = 500, seed = "20240601")
    void operationsRoundTripExactly(@ForAll("operations") KvOperation op) throws Exception {
        Bytes bytes = op.encode();
        KvOperation decoded = KvOperation.decode(bytes);
        assertThat(decoded).isEqualTo(op);
        assertThat(decoded.encode()).isEqualTo(bytes);
    }

    @Property(tries = 500, seed = "20240602")
    void resultsRoundTripExactly(@ForAll("results") KvResult result) throws Exception {
        Bytes bytes = result.encode();
        KvResult decoded = KvResult.decode(bytes);
        assertThat(decoded).isEqualTo(result);
        assertThat(decoded.encode()).isEqualTo(bytes);
    }

    @Property(tries = 100, seed = "7")
    void everyProperPrefixOfAnOperationIsTruncated(@ForAll("operations") KvOperation op) {
        byte[] bytes = op.encode().toByteArray();
        for (int n = 0; n < Math.min(bytes.length, 300); n++) {
            byte[] prefix = Arrays.copyOf(bytes, n);
            assertThatThrownBy(() -> KvOperation.decode(prefix))
                    .isInstanceOfSatisfying(MalformedMessageException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.TRUNCATED));
        }
    }

    @Property(tries = 100, seed = "8")
    void everyProperPrefixOfAResultIsTruncated(@ForAll("results") KvResult result) {
        byte[] bytes = result.encode().toByteArray();
        for (int n = 0; n < Math.min(bytes.length, 300); n++) {
            byte[] prefix = Arrays.copyOf(bytes, n);
            assertThatThrownBy(() -> KvResult.decode(prefix))
                    .isInstanceOfSatisfying(MalformedMessageException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.TRUNCATED));
        }
    }

    @Property(tries = 200, seed = "9")
    void trailingBytesAreRejected(@ForAll("operations") KvOperation op, @ForAll("results") KvResult result) {
        byte[] o = Arrays.copyOf(op.encode().toByteArray(), op.encode().length() + 1);
        byte[] r = Arrays.copyOf(result.encode().toByteArray(), result.encode().length() + 1);
        assertThatThrownBy(() -> KvOperation.decode(o)).isInstanceOfSatisfying(MalformedMessageException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.TRAILING_BYTES));
        assertThatThrownBy(() -> KvResult.decode(r)).isInstanceOfSatisfying(MalformedMessageException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.TRAILING_BYTES));
    }

    @Provide
    Arbitrary<byte[]> mutatedOperations() {
        return mutate(KvArbitraries.operations().map(op -> op.encode().toByteArray()));
    }

    @Provide
    Arbitrary<byte[]> mutatedResults() {
        return mutate(KvArbitraries.results().map(r -> r.encode().toByteArray()));
    }

    private static Arbitrary<byte[]> mutate(Arbitrary<byte[]> encodings) {
        return encodings.flatMap(bytes -> {
            Arbitrary<Integer> pos = Arbitraries.integers().between(0, bytes.length - 1);
            Arbitrary<byte[]> overwrite = Combinators.combine(pos, Arbitraries.bytes()).as((p, v) -> {
                byte[] m = bytes.clone();
                m[p] = v;
                return m;
            });
            Arbitrary<byte[]> flip = Combinators.combine(pos, Arbitraries.integers().between(0, 7)).as((p, b) -> {
                byte[] m = bytes.clone();
                m[p] ^= (byte) (1 << b);
                return m;
            });
            Arbitrary<byte[]> delete = pos.map(p -> {
                byte[] m = new byte[bytes.length - 1];
                System.arraycopy(bytes, 0, m, 0, p);
                System.arraycopy(bytes, p + 1, m, p, bytes.length - p - 1);
                return m;
            });
            return Arbitraries.oneOf(overwrite, flip, delete);
        });
    }

    /**
     * Decoding mangled bytes either fails with the typed error or yields a value whose canonical
     * encoding is exactly the input (so no two encodings decode to one value).
     */
    @Property(tries = 1500, seed = "10")
    void mutatedOperationsAreRejectedOrCanonical(@ForAll("mutatedOperations") byte[] bytes) {
        try {
            KvOperation op = KvOperation.decode(bytes);
            assertThat(op.encode().toByteArray()).isEqualTo(bytes);
        } catch (MalformedMessageException expected) {
            // the one allowed failure
        }
    }

    @Property(tries = 1500, seed = "11")
    void mutatedResultsAreRejectedOrCanonical(@ForAll("mutatedResults") byte[] bytes) {
        try {
            KvResult r = KvResult.decode(bytes);
            assertThat(r.encode().toByteArray()).isEqualTo(bytes);
        } catch (MalformedMessageException expected) {
            // the one allowed failure
        }
    }

    @Property(tries = 2000, seed = "12")
    void randomGarbageNeverThrowsAnythingElse(@ForAll byte[] bytes) {
        byte[] withHeader = bytes.clone();
        if (withHeader.length > 0) withHeader[0] = 1; // get past the version check most of the time
        for (byte[] input : new byte[][] {bytes, withHeader}) {
            try {
                assertThat(KvOperation.decode(input).encode().toByteArray()).isEqualTo(input);
            } catch (MalformedMessageException expected) {
                // fine
            }
            try {
                assertThat(KvResult.decode(input).encode().toByteArray()).isEqualTo(input);
            } catch (MalformedMessageException expected) {
                // fine
            }
        }
    }

    /** Every garbage input to the state machine is answered with an error result, never an exception. */
    @Property(tries = 1000, seed = "13")
    void stateMachineAnswersGarbageWithAnError(@ForAll("mutatedOperations") byte[] bytes) throws Exception {
        KvStateMachine sm = new KvStateMachine();
        Bytes before = sm.snapshot();
        KvResult r = KvResult.decode(sm.execute(1, Bytes.copyOf(bytes), 0));
        boolean canonical;
        try {
            KvOperation.decode(bytes);
            canonical = true;
        } catch (MalformedMessageException e) {
            canonical = false;
        }
        if (!canonical) {
            assertThat(r).isInstanceOf(KvResult.Error.class);
            assertThat(((KvResult.Error) r).code())
                    .isIn(KvErrorCode.MALFORMED_OPERATION, KvErrorCode.UNSUPPORTED_VERSION);
            assertThat(sm.snapshot()).isEqualTo(before);
        }
    }
}
