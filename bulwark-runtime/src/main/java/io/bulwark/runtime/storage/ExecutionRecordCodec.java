package io.bulwark.runtime.storage;

import io.bulwark.core.codec.MalformedMessageException;
import io.bulwark.core.codec.MalformedMessageException.Reason;
import io.bulwark.core.codec.WireReader;
import io.bulwark.core.codec.WireWriter;
import io.bulwark.core.crypto.Digest;
import io.bulwark.core.message.WireLimits;

/**
 * The write-ahead-log form of an execution node's records. Checkpoint states can be large, so
 * they live in a {@link CheckpointStore} and the log holds only a reference:
 * {@code [version u8 = 1][tag u8 = 1][slot i64][SHA-256 of the state, 32 bytes]}.
 */
public final class ExecutionRecordCodec {
    public static final int VERSION = 1;
    static final int CHECKPOINT_REF = 1;

    /** The state at {@code slot} is stored in the checkpoint store and hashes to {@code stateHash}. */
    public record CheckpointRef(long slot, Digest stateHash) {}

    private ExecutionRecordCodec() {}

    public static byte[] encode(CheckpointRef ref) {
        return new WireWriter(48).u8(VERSION).u8(CHECKPOINT_REF).i64(ref.slot()).fixed(ref.stateHash().value()).toByteArray();
    }

    public static CheckpointRef decode(byte[] bytes) throws MalformedMessageException {
        WireReader r = new WireReader(bytes);
        int version = r.u8();
        if (version != VERSION) throw new MalformedMessageException(Reason.UNKNOWN_VERSION, "record version " + version);
        int tag = r.u8();
        if (tag != CHECKPOINT_REF) throw new MalformedMessageException(Reason.UNKNOWN_TYPE, "record tag " + tag);
        CheckpointRef ref = new CheckpointRef(r.u63(WireLimits.SEQUENCE_MAX, "slot"), new Digest(r.fixed(Digest.LENGTH)));
        r.expectEnd();
        return ref;
    }
}
