package io.bulwark.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.codec.MalformedMessageException;
import io.bulwark.core.codec.WireWriter;
import io.bulwark.core.crypto.Digest;
import io.bulwark.core.message.ReplyLeaf;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The checkpointed state has exactly one encoding, and its decoder rejects everything else. */
class ExecutionStateTest {

    static ExecutionState sample() {
        TreeMap<Long, CachedReply> replies = new TreeMap<>();
        replies.put(9L, new CachedReply(4, 2, Bytes.ofUtf8("nine")));
        replies.put(1L, new CachedReply(7, 3, Bytes.EMPTY));
        return new ExecutionState(3, 1234, Digest.sha256(new byte[] {1}), replies, Bytes.ofUtf8("app"));
    }

    @Test
    void roundTripsAndEqualStatesGiveEqualBytes() throws MalformedMessageException {
        ExecutionState s = sample();
        Bytes encoded = s.encode();
        assertThat(ExecutionState.decode(encoded)).isEqualTo(s);
        assertThat(ExecutionState.decode(encoded).encode()).isEqualTo(encoded);
        assertThat(sample().encode()).isEqualTo(encoded);
        assertThat(ExecutionState.digestOf(encoded)).isEqualTo(Digest.sha256(encoded.toByteArray()));
    }

    @Test
    void rejectsTrailingBytesUnsortedClientsAndReplySlotsAfterTheState() {
        byte[] ok = sample().encode().toByteArray();
        byte[] trailing = java.util.Arrays.copyOf(ok, ok.length + 1);
        assertThatThrownBy(() -> ExecutionState.decode(Bytes.wrapOwned(trailing))).isInstanceOf(MalformedMessageException.class);
        assertThatThrownBy(() -> ExecutionState.decode(Bytes.wrapOwned(java.util.Arrays.copyOf(ok, ok.length - 1))))
                .isInstanceOf(MalformedMessageException.class);

        WireWriter w = new WireWriter();
        w.u8(ExecutionState.FORMAT).i64(3).i64(0).fixed(Digest.ZERO.value()).i32(2);
        w.i64(5).i64(1).i64(0).bytes(Bytes.EMPTY);
        w.i64(2).i64(1).i64(0).bytes(Bytes.EMPTY); // client ids must increase
        w.bytes(Bytes.EMPTY);
        assertThatThrownBy(() -> ExecutionState.decode(Bytes.wrapOwned(w.toByteArray()))).isInstanceOf(MalformedMessageException.class);

        WireWriter late = new WireWriter();
        late.u8(ExecutionState.FORMAT).i64(3).i64(0).fixed(Digest.ZERO.value()).i32(1);
        late.i64(5).i64(1).i64(4).bytes(Bytes.EMPTY); // a reply from slot 4 in the state after slot 3
        late.bytes(Bytes.EMPTY);
        assertThatThrownBy(() -> ExecutionState.decode(Bytes.wrapOwned(late.toByteArray()))).isInstanceOf(MalformedMessageException.class);

        WireWriter huge = new WireWriter();
        huge.u8(ExecutionState.FORMAT).i64(3).i64(0).fixed(Digest.ZERO.value()).i32(Integer.MAX_VALUE);
        assertThatThrownBy(() -> ExecutionState.decode(Bytes.wrapOwned(huge.toByteArray()))).isInstanceOf(MalformedMessageException.class);
    }

    static ExecutionState withRecentReplies() {
        ExecutionState s = sample();
        TreeMap<Long, List<ReplyLeaf>> recent = new TreeMap<>();
        recent.put(2L, List.of(new ReplyLeaf(9, 4, Bytes.ofUtf8("sealed-nine"))));
        recent.put(3L, List.of());
        return new ExecutionState(s.slot(), s.timeMillis(), s.logHash(), s.replies(), s.application(), recent);
    }

    @Test
    void recentRepliesRoundTripInFormat2AndOnlyThere() throws MalformedMessageException {
        ExecutionState s = withRecentReplies();
        Bytes encoded = s.encode();
        assertThat(encoded.toByteArray()[0]).isEqualTo((byte) ExecutionState.FORMAT_WITH_RECENT_REPLIES);
        assertThat(ExecutionState.decode(encoded)).isEqualTo(s);
        assertThat(ExecutionState.decode(encoded).encode()).isEqualTo(encoded);
        // Without them the encoding is format 1, byte for byte what it was before recent replies existed.
        assertThat(sample().encode().toByteArray()[0]).isEqualTo((byte) ExecutionState.FORMAT);
        assertThat(ExecutionState.digestOf(encoded)).isNotEqualTo(ExecutionState.digestOf(sample().encode()));
    }

    @Test
    void recentRepliesMustBeConsecutiveSlotsEndingAtTheStatesSlotAndFormat2MustHaveSome() {
        byte[] base = sample().encode().toByteArray();
        assertThatThrownBy(() -> ExecutionState.decode(format2(base, w -> w.i32(0))))
                .isInstanceOf(MalformedMessageException.class);
        assertThatThrownBy(() -> ExecutionState.decode(format2(base, w -> w.i32(1).i64(2).i32(0)))) // must end at slot 3
                .isInstanceOf(MalformedMessageException.class);
        assertThatThrownBy(() -> ExecutionState.decode(format2(base, w -> w.i32(2).i64(1).i32(0).i64(3).i32(0)))) // gap
                .isInstanceOf(MalformedMessageException.class);
        assertThatThrownBy(() -> ExecutionState.decode(format2(base, w -> w.i32(5).i64(-1).i32(0)))) // before slot 0
                .isInstanceOf(MalformedMessageException.class);
        assertThatThrownBy(() -> ExecutionState.decode(format2(base, w -> w.i32(1).i64(3).i32(Integer.MAX_VALUE))))
                .isInstanceOf(MalformedMessageException.class);
        assertThatThrownBy(() -> ExecutionState.decode(format2(base, w -> w.i32(1).i64(3).i32(1).i64(-5).i64(1).bytes(Bytes.EMPTY))))
                .isInstanceOf(MalformedMessageException.class);
        TreeMap<Long, List<ReplyLeaf>> gap = new TreeMap<>();
        gap.put(1L, List.of());
        gap.put(3L, List.of());
        ExecutionState s = sample();
        assertThatThrownBy(() -> new ExecutionState(s.slot(), 0, s.logHash(), s.replies(), s.application(), gap))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** A format-1 encoding turned into format 2 with {@code tail} appended. */
    private static Bytes format2(byte[] format1, java.util.function.Consumer<WireWriter> tail) {
        WireWriter w = new WireWriter();
        w.fixed(Bytes.wrapOwned(format1));
        tail.accept(w);
        byte[] b = w.toByteArray();
        b[0] = (byte) ExecutionState.FORMAT_WITH_RECENT_REPLIES;
        return Bytes.wrapOwned(b);
    }
}
