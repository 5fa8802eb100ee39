package io.bulwark.execution;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.codec.MalformedMessageException;
import io.bulwark.core.codec.MalformedMessageException.Reason;
import io.bulwark.core.codec.WireReader;
import io.bulwark.core.codec.WireWriter;
import io.bulwark.core.crypto.Digest;
import io.bulwark.core.message.ReplyLeaf;
import io.bulwark.core.message.WireLimits;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Everything an execution node's future behaviour depends on after executing slots
 * {@code 0..slot}, in one canonical encoding (equal states give equal bytes, so correct nodes
 * sign equal digests):
 *
 * <pre>
 *   u8  format: 1, or 2 when recent replies follow (firewall mode)
 *   i64 slot                  last slot executed
 *   i64 timeMillis            the batch time so far (max over executed batches)
 *   32  logHash               FabLearner's hash chain over the decided batches 0..slot
 *   i32 n, then n × (i64 clientId, i64 timestamp, i64 slot, u32-prefixed result), clientId increasing
 *                             (in firewall mode the result is the sealed one, as sent in the ReplyLeaf)
 *   u32-prefixed application snapshot (StateMachine.snapshot())
 *   format 2 only: i32 m ≥ 1, then m × (i64 slot, i32 leaves, leaves × (i64 clientId, i64 timestamp,
 *                             u32-prefixed sealed result)), slots consecutive and ending at {@code slot}
 * </pre>
 *
 * Recent replies (firewall mode): the sealed replies of the latest slots, the very leaves each
 * slot's REPLY-SHARE signs. A node that installs this state by state transfer skips those slots,
 * yet one of them may not have gathered g + 1 shares yet (its other signers faulty or behind);
 * with the leaves, covered by the digest g + 1 execution nodes signed (so computed by a correct
 * one), it can sign its share of them, which it could not from a peer's unsigned word.
 *
 * <p>Its SHA-256 is the digest an ExecutionCheckpoint signs. The decoder accepts only one
 * encoding per state (format 1 exactly when there are no recent replies): it is parsed from peers
 * during state transfer (after the digest check) and from disk during recovery.
 */
public record ExecutionState(long slot, long timeMillis, Digest logHash, SortedMap<Long, CachedReply> replies,
        Bytes application, SortedMap<Long, List<ReplyLeaf>> recentReplies) {
    public static final int FORMAT = 1;
    public static final int FORMAT_WITH_RECENT_REPLIES = 2;
    /** Bytes of recent replies a state carries at most (sealed results, 24 bytes per leaf and 12 per slot): oldest slots go first. */
    public static final long RECENT_REPLY_BYTES_MAX = 4L << 20;
    /** A cached result: an application result, or in firewall mode one sealed to its client (as much as a ReplyLeaf holds). */
    static final int RESULT_BYTES_MAX = WireLimits.RESULT_BYTES_MAX + 64;
    private static final int REPLY_BYTES_MIN = 8 + 8 + 8 + 4;

    public ExecutionState {
        Objects.requireNonNull(logHash, "logHash");
        Objects.requireNonNull(application, "application");
        if (slot < 0 || slot > WireLimits.SEQUENCE_MAX) throw new IllegalArgumentException("slot out of range");
        if (timeMillis < 0 || timeMillis > WireLimits.SEQUENCE_MAX) throw new IllegalArgumentException("timeMillis out of range");
        replies = Collections.unmodifiableSortedMap(new TreeMap<>(replies));
        TreeMap<Long, List<ReplyLeaf>> recent = new TreeMap<>();
        for (Map.Entry<Long, List<ReplyLeaf>> e : recentReplies.entrySet()) recent.put(e.getKey(), List.copyOf(e.getValue()));
        if (!recent.isEmpty() && (recent.lastKey() != slot || recent.lastKey() - recent.firstKey() != recent.size() - 1)) {
            throw new IllegalArgumentException("recent replies must be of consecutive slots ending at " + slot);
        }
        recentReplies = Collections.unmodifiableSortedMap(recent);
    }

    /** A state without recent replies (outside firewall mode). */
    public ExecutionState(long slot, long timeMillis, Digest logHash, SortedMap<Long, CachedReply> replies, Bytes application) {
        this(slot, timeMillis, logHash, replies, application, new TreeMap<>());
    }

    /** What one slot's leaves count against {@link #RECENT_REPLY_BYTES_MAX}. */
    public static long recentReplyBytes(List<ReplyLeaf> leaves) {
        long bytes = 12;
        for (ReplyLeaf l : leaves) bytes += 24 + l.sealedResult().length();
        return bytes;
    }

    public Bytes encode() {
        int size = 64 + application.length();
        for (CachedReply r : replies.values()) size += REPLY_BYTES_MIN + r.result().length();
        for (List<ReplyLeaf> leaves : recentReplies.values()) size += (int) recentReplyBytes(leaves);
        WireWriter w = new WireWriter(size);
        w.u8(recentReplies.isEmpty() ? FORMAT : FORMAT_WITH_RECENT_REPLIES).i64(slot).i64(timeMillis).fixed(logHash.value());
        w.i32(replies.size());
        for (Map.Entry<Long, CachedReply> e : replies.entrySet()) {
            CachedReply r = e.getValue();
            w.i64(e.getKey()).i64(r.timestamp()).i64(r.slot()).bytes(r.result());
        }
        w.bytes(application);
        if (!recentReplies.isEmpty()) {
            w.i32(recentReplies.size());
            for (Map.Entry<Long, List<ReplyLeaf>> e : recentReplies.entrySet()) {
                w.i64(e.getKey()).i32(e.getValue().size());
                for (ReplyLeaf l : e.getValue()) w.i64(l.clientId()).i64(l.timestamp()).bytes(l.sealedResult());
            }
        }
        return Bytes.wrapOwned(w.toByteArray());
    }

    /** SHA-256 of an encoded state: what execution checkpoints sign. */
    public static Digest digestOf(Bytes encoded) {
        MessageDigest md = Digest.newSha256();
        encoded.writeTo(md);
        return new Digest(Bytes.wrapOwned(md.digest()));
    }

    public static ExecutionState decode(Bytes encoded) throws MalformedMessageException {
        byte[] b = encoded.toByteArray();
        WireReader r = new WireReader(b);
        int format = r.u8();
        if (format != FORMAT && format != FORMAT_WITH_RECENT_REPLIES) throw new MalformedMessageException(Reason.UNKNOWN_VERSION, "state format " + format);
        long slot = r.u63(WireLimits.SEQUENCE_MAX, "slot");
        long time = r.u63(WireLimits.SEQUENCE_MAX, "timeMillis");
        Digest logHash = new Digest(r.fixed(Digest.LENGTH));
        int n = r.count(Integer.MAX_VALUE, REPLY_BYTES_MIN, "replies");
        TreeMap<Long, CachedReply> replies = new TreeMap<>();
        long previous = -1;
        for (int i = 0; i < n; i++) {
            long clientId = r.u63(Long.MAX_VALUE, "clientId");
            if (clientId <= previous) throw new MalformedMessageException(Reason.NON_CANONICAL, "client ids not increasing");
            previous = clientId;
            long timestamp = r.u63(WireLimits.SEQUENCE_MAX, "timestamp");
            long replySlot = r.u63(slot, "reply slot");
            Bytes result = r.bytes(RESULT_BYTES_MAX, "result");
            replies.put(clientId, new CachedReply(timestamp, replySlot, result));
        }
        Bytes application = r.bytes(Integer.MAX_VALUE - 8, "application");
        TreeMap<Long, List<ReplyLeaf>> recent = new TreeMap<>();
        if (format == FORMAT_WITH_RECENT_REPLIES) {
            int m = r.count(Integer.MAX_VALUE, 12, "recent slots");
            if (m == 0) throw new MalformedMessageException(Reason.NON_CANONICAL, "format 2 without recent replies");
            for (int i = 0; i < m; i++) {
                long recentSlot = r.u63(slot, "recent slot");
                if (recentSlot != slot - (m - 1) + i) {
                    throw new MalformedMessageException(Reason.NON_CANONICAL, "recent slots not consecutive up to " + slot);
                }
                int leaves = r.count(WireLimits.BATCH_REQUESTS_MAX, 20, "leaves");
                List<ReplyLeaf> list = new ArrayList<>(leaves);
                for (int j = 0; j < leaves; j++) {
                    list.add(new ReplyLeaf(r.u63(Long.MAX_VALUE, "clientId"), r.u63(WireLimits.SEQUENCE_MAX, "timestamp"),
                            r.bytes(RESULT_BYTES_MAX, "sealed result")));
                }
                recent.put(recentSlot, list);
            }
        }
        r.expectEnd();
        return new ExecutionState(slot, time, logHash, replies, application, recent);
    }
}
