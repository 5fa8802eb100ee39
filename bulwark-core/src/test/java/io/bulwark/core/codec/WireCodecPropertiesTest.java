package io.bulwark.core.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.codec.MalformedMessageException.Reason;
import io.bulwark.core.message.*;
import java.util.Arrays;
import java.util.HexFormat;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;

/**
 * Properties of the wire codec over generated messages and generated garbage. Seeds are fixed
 * so a run is reproducible; change a seed locally to explore further.
 */
class WireCodecPropertiesTest {

    @Provide
    Arbitrary<Message> messages() {
        return MessageArbitraries.message();
    }

    @Property(tries = 1000, seed = "20240601")
    @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
    void everyConstructibleMessageRoundTripsExactly(@ForAll("messages") Message message) throws Exception {
        Statistics.label("type").collect(message.getClass().getSimpleName());
        Statistics.label("type").coverage(c -> {
            for (Class<?> type : Message.class.getPermittedSubclasses()) {
                c.check(type.getSimpleName()).count(n -> n >= 20);
            }
        });

        byte[] bytes = WireCodec.encode(message);
        Message decoded = WireCodec.decode(bytes);

        assertThat(decoded).isEqualTo(message);
        assertThat(WireCodec.encode(decoded)).isEqualTo(bytes);
    }

    @Property(tries = 150, seed = "42")
    void everyProperPrefixOfAnEncodingIsTruncated(@ForAll("messages") Message message) {
        byte[] bytes = WireCodec.encode(message);
        for (int length = 0; length < bytes.length; length++) {
            int n = length;
            assertThatThrownBy(() -> WireCodec.decode(bytes, 0, n))
                    .isInstanceOfSatisfying(MalformedMessageException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.TRUNCATED));
        }
    }

    @Provide
    Arbitrary<byte[]> mutatedEncodings() {
        return MessageArbitraries.message().map(WireCodec::encode).flatMap(bytes -> {
            Arbitrary<Integer> position = Arbitraries.integers().between(0, bytes.length - 1);
            Arbitrary<Byte> value = Arbitraries.bytes();
            Arbitrary<byte[]> overwrite = Combinators.combine(position, value).as((p, v) -> {
                byte[] m = bytes.clone();
                m[p] = v;
                return m;
            });
            Arbitrary<byte[]> flipBit = Combinators.combine(position, Arbitraries.integers().between(0, 7)).as((p, b) -> {
                byte[] m = bytes.clone();
                m[p] ^= (byte) (1 << b);
                return m;
            });
            Arbitrary<byte[]> insert = Combinators.combine(position, value).as((p, v) -> {
                byte[] m = new byte[bytes.length + 1];
                System.arraycopy(bytes, 0, m, 0, p);
                m[p] = v;
                System.arraycopy(bytes, p, m, p + 1, bytes.length - p);
                return m;
            });
            Arbitrary<byte[]> delete = position.map(p -> {
                byte[] m = new byte[bytes.length - 1];
                System.arraycopy(bytes, 0, m, 0, p);
                System.arraycopy(bytes, p + 1, m, p, bytes.length - p - 1);
                return m;
            });
            return Arbitraries.oneOf(overwrite, flipBit, insert, delete);
        });
    }

    @Property(tries = 1000, seed = "7")
    void mutatedEncodingsAreRejectedCleanlyOrDecodeCanonically(@ForAll("mutatedEncodings") byte[] input) {
        assertDecodeIsTotalAndCanonical(input);
    }

    @Provide
    Arbitrary<byte[]> plausibleGarbage() {
        // Random bodies behind a valid header, so the generator spends its time past the header checks.
        Arbitrary<byte[]> body = Arbitraries.bytes().array(byte[].class).ofMaxSize(120);
        return Combinators.combine(Arbitraries.integers().between(1, 14), body).as((type, b) -> {
            byte[] m = new byte[b.length + 2];
            m[0] = WireCodec.VERSION;
            m[1] = (byte) (int) type;
            System.arraycopy(b, 0, m, 2, b.length);
            return m;
        });
    }

    @Property(tries = 3000, seed = "11")
    void randomBytesAreRejectedCleanlyOrDecodeCanonically(@ForAll("plausibleGarbage") byte[] input) {
        assertDecodeIsTotalAndCanonical(input);
    }

    /** The decoder's contract, shared with the fuzz test: total, with one canonical encoding per message. */
    static void assertDecodeIsTotalAndCanonical(byte[] input) {
        Message decoded;
        try {
            decoded = WireCodec.decode(input);
        } catch (MalformedMessageException expected) {
            return;
        } catch (RuntimeException | Error other) {
            fail("decode threw " + other + " on " + Bytes.copyOf(input).toHex(), other);
            return;
        }
        byte[] reencoded = WireCodec.encode(decoded);
        if (!Arrays.equals(reencoded, input)) {
            fail("non-canonical: %s decodes to %s, which re-encodes as %s (first difference at byte %d)",
                    HexFormat.of().formatHex(input), decoded, HexFormat.of().formatHex(reencoded),
                    Arrays.mismatch(reencoded, input));
        }
        try {
            assertThat(WireCodec.decode(input)).isEqualTo(decoded);
        } catch (MalformedMessageException e) {
            fail("second decode failed", e);
        }
    }

    // ------------------------------------------------------------------ signed regions

    @Property(tries = 200, seed = "3")
    void signedAcceptEncodingIsSignedBytesThenSignatureField(@ForAll("signedAccepts") SignedAccept m) {
        assertSignedRegion(WireCodec.encode(m), WireCodec.signedBytes(m), m.signature());
    }

    @Property(tries = 200, seed = "4")
    void checkpointEncodingIsSignedBytesThenSignatureField(@ForAll("checkpoints") Checkpoint m) {
        assertSignedRegion(WireCodec.encode(m), WireCodec.signedBytes(m), m.signature());
    }

    @Property(tries = 200, seed = "5")
    void requestEncodingIsSignedBytesThenSignatureThenAuthenticatorField(@ForAll("requests") Request m) {
        byte[] sent = WireCodec.encode(m);
        int authenticatorField = sent.length - 4 - m.authenticator().length();
        assertSignedRegion(Arrays.copyOf(sent, authenticatorField), WireCodec.signedBytes(m), m.signature());
        assertThat(Arrays.copyOfRange(sent, authenticatorField, sent.length))
                .isEqualTo(new WireWriter().bytes(m.authenticator()).toByteArray());
        Request bare = new Request(m.clientId(), m.timestamp(), m.operation(), m.signature());
        assertThat(WireCodec.signedBytes(bare)).as("the authenticator is not signed").isEqualTo(WireCodec.signedBytes(m));
    }

    @Property(tries = 200, seed = "9")
    void executionCheckpointEncodingIsSignedBytesThenSignatureField(@ForAll("executionCheckpoints") ExecutionCheckpoint m) {
        assertSignedRegion(WireCodec.encode(m), WireCodec.signedBytes(m), m.signature());
        assertThat(WireCodec.executionCheckpointSignedBytes(m.sender(), m.slot(), m.stateDigest()))
                .isEqualTo(WireCodec.signedBytes(m));
    }

    @Provide
    Arbitrary<ExecutionCheckpoint> executionCheckpoints() {
        return MessageArbitraries.executionCheckpoint();
    }

    @Property(tries = 200, seed = "6")
    void viewChangeEncodingIsSignedBytesThenSignatureField(@ForAll("viewChanges") ViewChange m) {
        assertSignedRegion(WireCodec.encode(m), WireCodec.signedBytes(m), m.signature());
    }

    private static void assertSignedRegion(byte[] sent, byte[] signed, Bytes signature) {
        assertThat(sent).startsWith(signed);
        assertThat(sent.length).isEqualTo(signed.length + 4 + signature.length());
        int len = ((sent[signed.length] & 0xff) << 24) | ((sent[signed.length + 1] & 0xff) << 16)
                | ((sent[signed.length + 2] & 0xff) << 8) | (sent[signed.length + 3] & 0xff);
        assertThat(len).isEqualTo(signature.length());
        assertThat(Bytes.copyOf(sent, signed.length + 4, len)).isEqualTo(signature);
    }

    @Provide
    Arbitrary<SignedAccept> signedAccepts() {
        return MessageArbitraries.signedAccept();
    }

    @Provide
    Arbitrary<Checkpoint> checkpoints() {
        return MessageArbitraries.checkpoint();
    }

    @Provide
    Arbitrary<Request> requests() {
        return MessageArbitraries.request();
    }

    @Provide
    Arbitrary<ViewChange> viewChanges() {
        return MessageArbitraries.viewChange();
    }

    @Property(tries = 300, seed = "8")
    void batchDigestDependsOnlyOnTheBatchValue(@ForAll("batches") Batch batch) {
        Batch copy = new Batch(batch.timeMillis(), new java.util.ArrayList<>(batch.requests()));
        assertThat(copy.digest()).isEqualTo(batch.digest());
        Batch later = new Batch(batch.timeMillis() == 0 ? 1 : batch.timeMillis() - 1, batch.requests());
        assertThat(later.digest()).isNotEqualTo(batch.digest());
    }

    @Provide
    Arbitrary<Batch> batches() {
        return MessageArbitraries.batch();
    }
}
