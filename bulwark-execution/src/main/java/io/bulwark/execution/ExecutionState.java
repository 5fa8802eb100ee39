package io.bulwark.execution;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.codec.MalformedMessageException;
import io.bulwark.core.codec.MalformedMessageException.Reason;
import io.bulwark.core.codec.WireReader;
import io.bulwark.core.codec.WireWriter;
import io.bulwark.core.crypto.Digest;
import io.bulwark.core.message.WireLimits;
import java.security.MessageDigest;
import java.util.Collections;
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
 *   u8  format (1)
 *   i64 slot                  last slot executed
 *   i64 timeMillis            the batch time so far (max over executed batches)
 *   32  logHash               FabLearner's hash chain over the decided batches 0..slot
 *   i32 n, then n × (i64 clientId, i64 timestamp, i64 slot, u32-prefixed result), clientId increasing
 *                             (in firewall mode the result is the sealed one, as sent in the ReplyLeaf)
 *   u32-prefixed application snapshot (StateMachine.snapshot())
 * </pre>
 *
 * Its SHA-256 is the digest an ExecutionCheckpoint signs. The decoder accepts only that one
 * encoding: it is parsed from peers during state transfer (after the digest check) and from
 * disk during recovery.
 */
public record ExecutionState(long slot, long timeMillis, Digest logHash, SortedMap<Long, CachedReply> replies,
        Bytes application) {
    public static final int FORMAT = 1;
    /** A cached result: an application result, or in firewall mode one sealed to its client (as much as a ReplyLeaf holds). */
    static final int RESULT_BYTES_MAX = WireLimits.RESULT_BYTES_MAX + 64;
    private static final int REPLY_BYTES_MIN = 8 + 8 + 8 + 4;

    public ExecutionState {
        Objects.requireNonNull(logHash, "logHash");
        Objects.requireNonNull(application, "application");
        if (slot < 0 || slot > WireLimits.SEQUENCE_MAX) throw new IllegalArgumentException("slot out of range");
        if (timeMillis < 0 || timeMillis > WireLimits.SEQUENCE_MAX) throw new IllegalArgumentException("timeMillis out of range");
        replies = Collections.unmodifiableSortedMap(new TreeMap<>(replies));
    }

    public Bytes encode() {
        int size = 64 + application.length();
        for (CachedReply r : replies.values()) size += REPLY_BYTES_MIN + r.result().length();
        WireWriter w = new WireWriter(size);
        w.u8(FORMAT).i64(slot).i64(timeMillis).fixed(logHash.value());
        w.i32(replies.size());
        for (Map.Entry<Long, CachedReply> e : replies.entrySet()) {
            CachedReply r = e.getValue();
            w.i64(e.getKey()).i64(r.timestamp()).i64(r.slot()).bytes(r.result());
        }
        w.bytes(application);
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
        if (format != FORMAT) throw new MalformedMessageException(Reason.UNKNOWN_VERSION, "state format " + format);
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
        r.expectEnd();
        return new ExecutionState(slot, time, logHash, replies, application);
    }
}
