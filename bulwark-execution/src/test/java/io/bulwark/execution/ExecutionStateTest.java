package io.bulwark.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.codec.MalformedMessageException;
import io.bulwark.core.codec.WireWriter;
import io.bulwark.core.crypto.Digest;
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
}
