package io.bulwark.runtime.storage;

import io.bulwark.core.codec.MalformedMessageException;
import io.bulwark.core.codec.MalformedMessageException.Reason;
import io.bulwark.core.codec.WireCodec;
import io.bulwark.core.codec.WireReader;
import io.bulwark.core.codec.WireWriter;
import io.bulwark.core.crypto.Digest;
import io.bulwark.core.message.Message;
import io.bulwark.core.message.ReplyShare;
import io.bulwark.core.message.WireLimits;
import io.bulwark.execution.ExecutionPersisted;
import java.util.ArrayList;
import java.util.List;

/**
 * The write-ahead-log form of an execution node's records. Checkpoint states can be large, so
 * they live in a {@link CheckpointStore} and the log holds only a reference:
 * {@code [version u8 = 1][tag u8 = 1][slot i64][SHA-256 of the state, 32 bytes]}. In firewall
 * mode the node's recent REPLY-SHAREs, written with each checkpoint, are logged whole:
 * {@code [version u8 = 1][tag u8 = 2][slot i64][count u32]} then each share as
 * {@code [length u32][its WireCodec encoding]}.
 */
public final class ExecutionRecordCodec {
    public static final int VERSION = 1;
    static final int CHECKPOINT_REF = 1;
    static final int REPLY_SHARES = 2;
    /** Shares in one record: a checkpoint interval's worth is far below this. */
    static final int SHARES_MAX = 1 << 16;

    /** The state at {@code slot} is stored in the checkpoint store and hashes to {@code stateHash}. */
    public record CheckpointRef(long slot, Digest stateHash) {}

    private ExecutionRecordCodec() {}

    public static byte[] encode(CheckpointRef ref) {
        return new WireWriter(48).u8(VERSION).u8(CHECKPOINT_REF).i64(ref.slot()).fixed(ref.stateHash().value()).toByteArray();
    }

    public static byte[] encode(ExecutionPersisted.ReplyShares shares) {
        WireWriter w = new WireWriter(64 + 256 * shares.shares().size()).u8(VERSION).u8(REPLY_SHARES).i64(shares.slot())
                .i32(shares.shares().size());
        for (ReplyShare s : shares.shares()) w.bytes(io.bulwark.core.bytes.Bytes.wrapOwned(WireCodec.encode(s)));
        return w.toByteArray();
    }

    /** A checkpoint reference; anything else is an error. */
    public static CheckpointRef decode(byte[] bytes) throws MalformedMessageException {
        if (decodeRecord(bytes) instanceof CheckpointRef ref) return ref;
        throw new MalformedMessageException(Reason.UNKNOWN_TYPE, "not a checkpoint reference");
    }

    /** A {@link CheckpointRef} or an {@link ExecutionPersisted.ReplyShares}. */
    public static Object decodeRecord(byte[] bytes) throws MalformedMessageException {
        WireReader r = new WireReader(bytes);
        int version = r.u8();
        if (version != VERSION) throw new MalformedMessageException(Reason.UNKNOWN_VERSION, "record version " + version);
        int tag = r.u8();
        Object record = switch (tag) {
            case CHECKPOINT_REF -> new CheckpointRef(r.u63(WireLimits.SEQUENCE_MAX, "slot"), new Digest(r.fixed(Digest.LENGTH)));
            case REPLY_SHARES -> {
                long slot = r.u63(WireLimits.SEQUENCE_MAX, "slot");
                int count = r.count(SHARES_MAX, 4, "shares");
                List<ReplyShare> shares = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    Message m = WireCodec.decode(r.bytes(WireLimits.FRAME_BYTES_MAX, "share").toByteArray());
                    if (!(m instanceof ReplyShare s)) throw new MalformedMessageException(Reason.UNKNOWN_TYPE, "not a REPLY-SHARE");
                    shares.add(s);
                }
                yield new ExecutionPersisted.ReplyShares(slot, shares);
            }
            default -> throw new MalformedMessageException(Reason.UNKNOWN_TYPE, "record tag " + tag);
        };
        r.expectEnd();
        return record;
    }
}
