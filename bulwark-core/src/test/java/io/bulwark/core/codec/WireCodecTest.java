package io.bulwark.core.codec;

import static io.bulwark.core.codec.SampleMessages.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.codec.MalformedMessageException.Reason;
import io.bulwark.core.crypto.Digest;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.crypto.PublicKeyDirectory;
import io.bulwark.core.message.*;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class WireCodecTest {

    static Stream<Arguments> samples() {
        return SampleMessages.all().entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    static MalformedMessageException rejection(byte[] bytes) {
        MalformedMessageException e = catchThrowableOfType(MalformedMessageException.class, () -> WireCodec.decode(bytes));
        assertThat(e).as("decoding %s must be rejected", HexFormat.of().formatHex(bytes)).isNotNull();
        return e;
    }

    static Reason reasonFor(byte[] bytes) {
        return rejection(bytes).reason();
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static WireWriter header(int type) {
        return new WireWriter().u8(WireCodec.VERSION).u8(type);
    }

    // ------------------------------------------------------------------ round trips

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void decodeOfEncodeIsTheSameMessageAndReencodesToTheSameBytes(String name, Message message) throws Exception {
        byte[] bytes = WireCodec.encode(message);

        Message decoded = WireCodec.decode(bytes);

        assertThat(decoded).isEqualTo(message).hasSameHashCodeAs(message);
        assertThat(WireCodec.encode(decoded)).isEqualTo(bytes);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void decodesAMessageInTheMiddleOfALargerBuffer(String name, Message message) throws Exception {
        byte[] bytes = WireCodec.encode(message);
        byte[] framed = new byte[bytes.length + 10];
        Arrays.fill(framed, (byte) 0x5a);
        System.arraycopy(bytes, 0, framed, 3, bytes.length);

        assertThat(WireCodec.decode(framed, 3, bytes.length)).isEqualTo(message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void encodingIntoAReusedWriterAppendsExactlyTheStandaloneEncoding(String name, Message message) {
        WireWriter w = new WireWriter(16);
        w.u8(0xee);
        WireCodec.encode(message, w);

        byte[] appended = Arrays.copyOfRange(w.buffer(), 1, w.position());
        assertThat(appended).isEqualTo(WireCodec.encode(message));
    }

    @Test
    void samplesCoverEveryMessageTypeAndEveryViewChangeShape() {
        Set<Class<?>> sampled = SampleMessages.all().values().stream().map(Object::getClass).collect(Collectors.toSet());
        assertThat(sampled).containsExactlyInAnyOrder(Message.class.getPermittedSubclasses());

        assertThat(VIEW_CHANGE_WITH_STABLE.stable()).isNotNull();
        assertThat(VIEW_CHANGE_NO_STABLE.stable()).isNull();
        assertThat(VIEW_CHANGE_NO_STABLE.reports()).anySatisfy(r -> assertThat(r.vote() != null && r.commit() == null).isTrue())
                .anySatisfy(r -> assertThat(r.vote() == null && r.commit() != null).isTrue())
                .anySatisfy(r -> assertThat(r.vote() != null && r.commit() != null).isTrue());
    }

    @Test
    void typeTagsAreTheDocumentedWireConstants() {
        Map<Class<?>, Integer> expected = Map.ofEntries(Map.entry(Request.class, 1), Map.entry(Propose.class, 2),
                Map.entry(Accepted.class, 3), Map.entry(SignedAccept.class, 4), Map.entry(Commit.class, 5),
                Map.entry(ViewChange.class, 6), Map.entry(NewView.class, 7), Map.entry(Checkpoint.class, 8),
                Map.entry(DecisionQuery.class, 9), Map.entry(Decided.class, 10), Map.entry(Reply.class, 11));
        for (Message m : SampleMessages.all().values()) {
            byte[] bytes = WireCodec.encode(m);
            assertThat(bytes[0]).as("version of %s", m.getClass()).isEqualTo((byte) 1);
            assertThat(bytes[1] & 0xff).as("type tag of %s", m.getClass()).isEqualTo(expected.get(m.getClass()));
        }
    }

    @Test
    void fixedWidthFieldsAreBigEndian() {
        assertThat(HexFormat.of().formatHex(WireCodec.encode(new DecisionQuery(0x0102030405060708L, 0x10))))
                .isEqualTo("0109" + "0102030405060708" + "00000010");
        assertThat(HexFormat.of().formatHex(WireCodec.encode(new Reply(1, 2, 3, Bytes.fromHex("abcd")))))
                .isEqualTo("010b" + "0000000000000001" + "0000000000000002" + "0000000000000003" + "00000002abcd");
    }

    @Test
    void batchDigestIsSha256OfTheBatchEncodingAsItAppearsInsideAPropose() {
        byte[] propose = WireCodec.encode(new Propose(5, 11, BATCH));
        byte[] batchBytes = Arrays.copyOfRange(propose, 2 + 8 + 8, propose.length);

        assertThat(BATCH.digest()).isEqualTo(Digest.sha256(batchBytes)).isEqualTo(WireCodec.batchDigest(BATCH));
        assertThat(Batch.EMPTY.digest()).isEqualTo(Digest.sha256(new byte[8 + 4]));
        assertThat(batch(1, REQUEST).digest()).isNotEqualTo(batch(2, REQUEST).digest());
    }

    // ------------------------------------------------------------------ signed regions

    record SignedCase(String name, Message message, byte[] signedBytes, Bytes signature, Principal signer) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<SignedCase> signedMessages() {
        SignedAccept sa = signedAccept(3, 5, 11, BATCH.digest());
        Checkpoint cp = checkpoint(2, 100, digestOf("log"));
        return Stream.of(
                new SignedCase("request", REQUEST, WireCodec.signedBytes(REQUEST), REQUEST.signature(), Principal.client(7)),
                new SignedCase("signed-accept", sa, WireCodec.signedBytes(sa), sa.signature(), Principal.node(3)),
                new SignedCase("checkpoint", cp, WireCodec.signedBytes(cp), cp.signature(), Principal.node(2)),
                new SignedCase("view-change-empty", VIEW_CHANGE_EMPTY, WireCodec.signedBytes(VIEW_CHANGE_EMPTY),
                        VIEW_CHANGE_EMPTY.signature(), Principal.node(1)),
                new SignedCase("view-change-no-stable", VIEW_CHANGE_NO_STABLE, WireCodec.signedBytes(VIEW_CHANGE_NO_STABLE),
                        VIEW_CHANGE_NO_STABLE.signature(), Principal.node(2)),
                new SignedCase("view-change-with-stable", VIEW_CHANGE_WITH_STABLE,
                        WireCodec.signedBytes(VIEW_CHANGE_WITH_STABLE), VIEW_CHANGE_WITH_STABLE.signature(), Principal.node(3)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("signedMessages")
    void signedRegionIsTheSentBytesMinusTheTrailingSignatureField(SignedCase c) {
        byte[] sent = WireCodec.encode(c.message());
        byte[] sigField = new WireWriter().bytes(c.signature()).toByteArray();

        assertThat(sent).startsWith(c.signedBytes());
        assertThat(sent).isEqualTo(concat(c.signedBytes(), sigField));
        assertThat(sigField).startsWith(0, 0, 0, 64);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("signedMessages")
    void signatureVerifiesOverThePrefixOfTheReceivedBytes(SignedCase c) {
        byte[] sent = WireCodec.encode(c.message());
        int signedLength = sent.length - 4 - c.signature().length();
        PublicKeyDirectory keys = new PublicKeyDirectory(Map.of(c.signer(), publicKey(c.signer())));

        assertThat(keys.verify(c.signer(), sent, 0, signedLength, c.signature())).isTrue();
        // The signature binds the message type: the same fields under another type tag do not verify.
        byte[] retagged = sent.clone();
        retagged[1] ^= 0x0f;
        assertThat(keys.verify(c.signer(), retagged, 0, signedLength, c.signature())).isFalse();
    }

    @Test
    void fieldwiseSignedBytesHelpersAgreeWithTheMessageOverloads() {
        SignedAccept sa = signedAccept(3, 5, 11, BATCH.digest());
        Checkpoint cp = checkpoint(2, 100, digestOf("log"));
        assertThat(WireCodec.requestSignedBytes(REQUEST.clientId(), REQUEST.timestamp(), REQUEST.operation()))
                .isEqualTo(WireCodec.signedBytes(REQUEST));
        assertThat(WireCodec.signedAcceptSignedBytes(3, 5, 11, BATCH.digest())).isEqualTo(WireCodec.signedBytes(sa));
        assertThat(WireCodec.checkpointSignedBytes(2, 100, digestOf("log"))).isEqualTo(WireCodec.signedBytes(cp));
        assertThat(WireCodec.viewChangeSignedBytes(3, 5, VIEW_CHANGE_WITH_STABLE.stable(), VIEW_CHANGE_WITH_STABLE.reports()))
                .isEqualTo(WireCodec.signedBytes(VIEW_CHANGE_WITH_STABLE));
    }

    @Test
    void signedRegionCoversEveryFieldExceptTheSignature() {
        // Changing any signed field changes the signed bytes.
        SignedAccept sa = signedAccept(3, 5, 11, BATCH.digest());
        byte[] base = WireCodec.signedBytes(sa);
        assertThat(WireCodec.signedAcceptSignedBytes(4, 5, 11, BATCH.digest())).isNotEqualTo(base);
        assertThat(WireCodec.signedAcceptSignedBytes(3, 6, 11, BATCH.digest())).isNotEqualTo(base);
        assertThat(WireCodec.signedAcceptSignedBytes(3, 5, 12, BATCH.digest())).isNotEqualTo(base);
        assertThat(WireCodec.signedAcceptSignedBytes(3, 5, 11, Batch.EMPTY.digest())).isNotEqualTo(base);
        assertThat(WireCodec.signedBytes(VIEW_CHANGE_NO_STABLE)).isNotEqualTo(
                WireCodec.viewChangeSignedBytes(2, 5, null, VIEW_CHANGE_NO_STABLE.reports().subList(0, 2)));
    }

    // ------------------------------------------------------------------ rejections

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void everyProperPrefixIsRejectedAsTruncated(String name, Message message) {
        byte[] bytes = WireCodec.encode(message);
        for (int length = 0; length < bytes.length; length++) {
            byte[] prefix = Arrays.copyOf(bytes, length);
            assertThat(reasonFor(prefix)).as("prefix of %d/%d bytes", length, bytes.length).isEqualTo(Reason.TRUNCATED);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void trailingBytesAreRejected(String name, Message message) {
        byte[] bytes = WireCodec.encode(message);
        assertThat(reasonFor(Arrays.copyOf(bytes, bytes.length + 1))).isEqualTo(Reason.TRAILING_BYTES);
        assertThat(reasonFor(concat(bytes, bytes))).isEqualTo(Reason.TRAILING_BYTES);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 2, 0x7f, 0x80, 0xff})
    void unknownVersionIsRejected(int version) {
        byte[] bytes = WireCodec.encode(new DecisionQuery(1, 1));
        bytes[0] = (byte) version;
        assertThat(reasonFor(bytes)).isEqualTo(Reason.UNKNOWN_VERSION);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 12, 0x7f, 0x80, 0xff})
    void unknownTypeIsRejected(int type) {
        byte[] bytes = WireCodec.encode(new DecisionQuery(1, 1));
        bytes[1] = (byte) type;
        assertThat(reasonFor(bytes)).isEqualTo(Reason.UNKNOWN_TYPE);
    }

    @Test
    void emptyAndHeaderOnlyInputsAreTruncated() {
        assertThat(reasonFor(new byte[0])).isEqualTo(Reason.TRUNCATED);
        assertThat(reasonFor(new byte[] {1})).isEqualTo(Reason.TRUNCATED);
        for (int type = 1; type <= 11; type++) {
            assertThat(reasonFor(new byte[] {1, (byte) type})).as("type %d", type).isEqualTo(Reason.TRUNCATED);
        }
    }

    /** Offsets in {@link SampleMessages#VIEW_CHANGE_NO_STABLE}: header 2, sender 4, pn 8. */
    private static final int STABLE_FLAG = 2 + 4 + 8;
    /** ...then the report count (4) and the first report's slot (8). */
    private static final int FIRST_VOTE_FLAG = STABLE_FLAG + 1 + 4 + 8;

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 0x80, 0xff})
    void booleanBytesOtherThanZeroOrOneAreNonCanonical(int flag) {
        byte[] bytes = WireCodec.encode(VIEW_CHANGE_NO_STABLE);
        assertThat(bytes[STABLE_FLAG]).isEqualTo((byte) 0);
        assertThat(bytes[FIRST_VOTE_FLAG]).isEqualTo((byte) 1);

        byte[] badStable = bytes.clone();
        badStable[STABLE_FLAG] = (byte) flag;
        assertThat(reasonFor(badStable)).isEqualTo(Reason.NON_CANONICAL);

        byte[] badVote = bytes.clone();
        badVote[FIRST_VOTE_FLAG] = (byte) flag;
        assertThat(reasonFor(badVote)).isEqualTo(Reason.NON_CANONICAL);
    }

    @Test
    void framesLargerThanTheLimitAreRejectedBeforeReading() {
        MalformedMessageException e = catchThrowableOfType(MalformedMessageException.class,
                () -> WireCodec.decode(new byte[16], 0, WireLimits.FRAME_BYTES_MAX + 1));
        assertThat(e.reason()).isEqualTo(Reason.LENGTH_OUT_OF_BOUNDS);
    }

    // ------------------------------------------------------------------ hostile length and count prefixes

    record Hostile(String name, byte[] bytes, Reason expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Hostile hostile(String name, Reason expected, int type, Consumer<WireWriter> body) {
        WireWriter w = header(type);
        body.accept(w);
        return new Hostile(name, w.toByteArray(), expected);
    }

    static Stream<Hostile> hostileInputs() {
        int huge = 0x7fffffff;
        return Stream.of(
                hostile("request operation length 2^31-1", Reason.LENGTH_OUT_OF_BOUNDS, WireCodec.REQUEST,
                        w -> w.i64(1).i64(1).i32(huge)),
                hostile("request operation length -1", Reason.LENGTH_OUT_OF_BOUNDS, WireCodec.REQUEST,
                        w -> w.i64(1).i64(1).i32(-1)),
                hostile("request operation length at the limit, absent", Reason.TRUNCATED, WireCodec.REQUEST,
                        w -> w.i64(1).i64(1).i32(WireLimits.OPERATION_BYTES_MAX).u8(0)),
                hostile("request signature length 2^31-1", Reason.LENGTH_OUT_OF_BOUNDS, WireCodec.REQUEST,
                        w -> w.i64(1).i64(1).i32(0).i32(huge)),
                hostile("request signature one over the limit", Reason.LENGTH_OUT_OF_BOUNDS, WireCodec.REQUEST,
                        w -> w.i64(1).i64(1).i32(0).i32(WireLimits.SIGNATURE_BYTES_MAX + 1)),
                hostile("propose request count 2^31-1", Reason.LENGTH_OUT_OF_BOUNDS, WireCodec.PROPOSE,
                        w -> w.i64(1).i64(1).i64(0).i32(huge)),
                hostile("propose request count -1", Reason.LENGTH_OUT_OF_BOUNDS, WireCodec.PROPOSE,
                        w -> w.i64(1).i64(1).i64(0).i32(-1)),
                hostile("propose request count at the limit, absent", Reason.TRUNCATED, WireCodec.PROPOSE,
                        w -> w.i64(1).i64(1).i64(0).i32(WireLimits.BATCH_REQUESTS_MAX)),
                hostile("decided request count 2^31-1", Reason.LENGTH_OUT_OF_BOUNDS, WireCodec.DECIDED,
                        w -> w.i64(1).i64(0).i32(huge)),
                hostile("view change stable signatures count 2^31-1", Reason.LENGTH_OUT_OF_BOUNDS, WireCodec.VIEW_CHANGE,
                        w -> w.i32(0).i64(0).bool(true).i64(0).raw(new byte[32], 0, 32).i32(huge)),
                hostile("view change stable signatures count at the limit", Reason.TRUNCATED, WireCodec.VIEW_CHANGE,
                        w -> w.i32(0).i64(0).bool(true).i64(0).raw(new byte[32], 0, 32).i32(WireLimits.NODES_MAX)),
                hostile("view change report count 2^31-1", Reason.LENGTH_OUT_OF_BOUNDS, WireCodec.VIEW_CHANGE,
                        w -> w.i32(0).i64(0).bool(false).i32(huge)),
                hostile("view change report count at the limit", Reason.TRUNCATED, WireCodec.VIEW_CHANGE,
                        w -> w.i32(0).i64(0).bool(false).i32(WireLimits.REPORT_SLOTS_MAX)),
                hostile("commit certificate accept count 2^31-1", Reason.LENGTH_OUT_OF_BOUNDS, WireCodec.VIEW_CHANGE,
                        w -> w.i32(0).i64(0).bool(false).i32(1).i64(3).bool(false).bool(true)
                                .i64(1).i64(3).raw(new byte[32], 0, 32).i32(huge)),
                hostile("view change signature length 2^31-1", Reason.LENGTH_OUT_OF_BOUNDS, WireCodec.VIEW_CHANGE,
                        w -> w.i32(0).i64(0).bool(false).i32(0).i32(huge)),
                hostile("new view certificate count 2^31-1", Reason.LENGTH_OUT_OF_BOUNDS, WireCodec.NEW_VIEW,
                        w -> w.i64(0).i32(huge)),
                hostile("new view certificate count at the limit", Reason.TRUNCATED, WireCodec.NEW_VIEW,
                        w -> w.i64(0).i32(WireLimits.NODES_MAX).raw(new byte[64], 0, 64)),
                hostile("new view proposal count 2^31-1", Reason.LENGTH_OUT_OF_BOUNDS, WireCodec.NEW_VIEW,
                        w -> w.i64(0).i32(0).i32(huge)),
                hostile("new view proposal count at the limit", Reason.TRUNCATED, WireCodec.NEW_VIEW,
                        w -> w.i64(0).i32(0).i32(WireLimits.REPORT_SLOTS_MAX)),
                hostile("checkpoint signature length 2^31-1", Reason.LENGTH_OUT_OF_BOUNDS, WireCodec.CHECKPOINT,
                        w -> w.i32(0).i64(0).raw(new byte[32], 0, 32).i32(huge)),
                hostile("signed accept signature length 2^31-1", Reason.LENGTH_OUT_OF_BOUNDS, WireCodec.SIGNED_ACCEPT,
                        w -> w.i32(0).i64(0).i64(0).raw(new byte[32], 0, 32).i32(huge)),
                hostile("reply result length 2^31-1", Reason.LENGTH_OUT_OF_BOUNDS, WireCodec.REPLY,
                        w -> w.i64(0).i64(0).i64(0).i32(huge)),
                hostile("reply result length at the limit, absent", Reason.TRUNCATED, WireCodec.REPLY,
                        w -> w.i64(0).i64(0).i64(0).i32(WireLimits.RESULT_BYTES_MAX)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileInputs")
    void hostileLengthOrCountPrefixIsRejectedWithoutAllocatingForIt(Hostile h) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        reasonFor(h.bytes()); // warm up: class loading and the like are not the decoder's allocations
        long before = threads.getCurrentThreadAllocatedBytes();
        Reason reason = reasonFor(h.bytes());
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertThat(reason).isEqualTo(h.expected());
        assertThat(allocated).as("bytes allocated decoding %d hostile bytes", h.bytes().length).isLessThan(64 * 1024);
    }

    // ------------------------------------------------------------------ record invariants enforced on decode

    private static void writeEmptyBatchVote(WireWriter w, long pn) {
        w.bool(true).i64(pn).i64(0).i32(0);
    }

    static Stream<Hostile> invalidFields() {
        return Stream.of(
                hostile("negative pn", Reason.INVALID_FIELD, WireCodec.ACCEPTED,
                        w -> w.i64(-1).i64(0).raw(new byte[32], 0, 32)),
                hostile("pn above SEQUENCE_MAX", Reason.INVALID_FIELD, WireCodec.COMMIT,
                        w -> w.i64(WireLimits.SEQUENCE_MAX + 1).i64(0).raw(new byte[32], 0, 32)),
                hostile("negative client id", Reason.INVALID_FIELD, WireCodec.REQUEST,
                        w -> w.i64(Long.MIN_VALUE).i64(0).i32(0).i32(0)),
                hostile("request timestamp above SEQUENCE_MAX", Reason.INVALID_FIELD, WireCodec.REQUEST,
                        w -> w.i64(0).i64(WireLimits.SEQUENCE_MAX + 1).i32(0).i32(0)),
                hostile("acceptor id NODES_MAX", Reason.INVALID_FIELD, WireCodec.SIGNED_ACCEPT,
                        w -> w.i32(WireLimits.NODES_MAX).i64(0).i64(0).raw(new byte[32], 0, 32).i32(0)),
                hostile("negative checkpoint sender", Reason.INVALID_FIELD, WireCodec.CHECKPOINT,
                        w -> w.i32(-1).i64(0).raw(new byte[32], 0, 32).i32(0)),
                hostile("decision query count 0", Reason.INVALID_FIELD, WireCodec.DECISION_QUERY, w -> w.i64(0).i32(0)),
                hostile("decision query count over limit", Reason.INVALID_FIELD, WireCodec.DECISION_QUERY,
                        w -> w.i64(0).i32(WireLimits.QUERY_SLOTS_MAX + 1)),
                hostile("negative batch time", Reason.INVALID_FIELD, WireCodec.DECIDED, w -> w.i64(0).i64(-5).i32(0)),
                hostile("view change reports out of order", Reason.INVALID_FIELD, WireCodec.VIEW_CHANGE, w -> {
                    w.i32(0).i64(1).bool(false).i32(2);
                    w.i64(7);
                    writeEmptyBatchVote(w, 1);
                    w.bool(false);
                    w.i64(7);
                    writeEmptyBatchVote(w, 1);
                    w.bool(false);
                    w.i32(0);
                }),
                hostile("view change report below the stable checkpoint", Reason.INVALID_FIELD, WireCodec.VIEW_CHANGE, w -> {
                    w.i32(0).i64(1).bool(true).i64(10).raw(new byte[32], 0, 32).i32(0);
                    w.i32(1).i64(10);
                    writeEmptyBatchVote(w, 1);
                    w.bool(false);
                    w.i32(0);
                }),
                hostile("empty slot report", Reason.INVALID_FIELD, WireCodec.VIEW_CHANGE,
                        w -> w.i32(0).i64(1).bool(false).i32(1).i64(3).bool(false).bool(false).i32(0)),
                hostile("commit certificate for another slot", Reason.INVALID_FIELD, WireCodec.VIEW_CHANGE, w -> {
                    w.i32(0).i64(1).bool(false).i32(1).i64(3).bool(false);
                    w.bool(true).i64(1).i64(4).raw(new byte[32], 0, 32).i32(0); // certificate says slot 4
                    w.i64(0).i32(0); // its batch
                    w.i32(0);
                }),
                hostile("new view proposals out of order", Reason.INVALID_FIELD, WireCodec.NEW_VIEW,
                        w -> w.i64(1).i32(0).i32(2).i64(5).i64(0).i32(0).i64(4).i64(0).i32(0)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidFields")
    void fieldsOutsideWhatTheRecordsAcceptAreInvalid(Hostile h) {
        assertThat(reasonFor(h.bytes())).isEqualTo(h.expected());
    }

    @Test
    void theHandCraftedInvalidInputsBecomeValidWhenTheOffendingFieldIsFixed() throws Exception {
        // Guards the crafted inputs above against testing a different mistake than intended.
        WireWriter w = header(WireCodec.VIEW_CHANGE);
        w.i32(0).i64(1).bool(false).i32(2);
        w.i64(7);
        writeEmptyBatchVote(w, 1);
        w.bool(false);
        w.i64(8);
        writeEmptyBatchVote(w, 1);
        w.bool(false);
        w.i32(0);
        Message m = WireCodec.decode(w.toByteArray());
        assertThat(m).isInstanceOfSatisfying(ViewChange.class, v -> assertThat(v.reports()).hasSize(2));

        byte[] proposals = header(WireCodec.NEW_VIEW).i64(1).i32(0).i32(2).i64(4).i64(0).i32(0).i64(5).i64(0).i32(0)
                .toByteArray();
        assertThat(WireCodec.decode(proposals)).isInstanceOf(NewView.class);
    }

    @Test
    void messagesWithListsAtTheirLargestAllowedSizeRoundTrip() throws Exception {
        List<SignedAccept> accepts = new ArrayList<>();
        for (int i = 0; i < WireLimits.NODES_MAX; i++) accepts.add(new SignedAccept(i, 1, 3, BATCH.digest(), Bytes.EMPTY));
        CommitCertificate cc = new CommitCertificate(1, 3, BATCH.digest(), accepts);
        ViewChange vc = new ViewChange(0, 2, null, List.of(new SlotReport(3, null, cc, BATCH)), Bytes.EMPTY);

        List<Request> requests = new ArrayList<>();
        for (int i = 0; i < WireLimits.BATCH_REQUESTS_MAX; i++) requests.add(new Request(i, 0, Bytes.EMPTY, Bytes.EMPTY));
        Propose fullBatch = new Propose(1, 1, new Batch(0, requests));

        List<Proposal> proposals = new ArrayList<>();
        for (int i = 0; i < WireLimits.REPORT_SLOTS_MAX; i++) proposals.add(new Proposal(i, Batch.EMPTY));
        NewView manyProposals = new NewView(1, List.of(vc), proposals);

        Reply largestResult = new Reply(1, 1, 1, Bytes.wrapOwned(new byte[WireLimits.RESULT_BYTES_MAX]));

        for (Message m : List.of(vc, fullBatch, manyProposals, largestResult)) {
            byte[] bytes = WireCodec.encode(m);
            assertThat(WireCodec.decode(bytes)).isEqualTo(m);
        }
    }
}
