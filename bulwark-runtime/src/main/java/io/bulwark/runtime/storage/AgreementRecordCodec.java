package io.bulwark.runtime.storage;

import io.bulwark.agreement.ClientTable;
import io.bulwark.agreement.Persisted;
import io.bulwark.core.codec.MalformedMessageException;
import io.bulwark.core.codec.MalformedMessageException.Reason;
import io.bulwark.core.codec.WireCodec;
import io.bulwark.core.codec.WireReader;
import io.bulwark.core.codec.WireWriter;
import io.bulwark.core.crypto.Digest;
import io.bulwark.core.message.WireLimits;
import java.util.ArrayList;
import java.util.List;

/**
 * The on-disk form of an agreement node's {@link Persisted} records:
 * {@code [version u8 = 1][tag u8][fields]}, big-endian, batches and certificates in their wire
 * encoding ({@link WireCodec#writeBatchTo} and friends). Tags are the format: never renumber.
 *
 * <pre>
 * 1 Promised    pn i64
 * 2 EnteredView pn i64
 * 3 Voted       slot i64, pn i64, batch
 * 4 Certified   commit certificate, batch
 * 5 Stable      checkpoint certificate
 * 6 Delivered   slot i64, batch
 * 7 Compacted   nextSlot i64, logHash [32], n i32, n × (clientId i64, timestamp i64, slot i64)
 * </pre>
 */
public final class AgreementRecordCodec {
    public static final int VERSION = 1;
    static final int PROMISED = 1, ENTERED_VIEW = 2, VOTED = 3, CERTIFIED = 4, STABLE = 5, DELIVERED = 6, COMPACTED = 7;
    private static final int CLIENT_ENTRY_BYTES = 24;

    private AgreementRecordCodec() {}

    public static byte[] encode(Persisted record) {
        WireWriter w = new WireWriter(64);
        w.u8(VERSION);
        switch (record) {
            case Persisted.Promised p -> w.u8(PROMISED).i64(p.pn());
            case Persisted.EnteredView e -> w.u8(ENTERED_VIEW).i64(e.pn());
            case Persisted.Voted v -> {
                w.u8(VOTED).i64(v.slot()).i64(v.pn());
                WireCodec.writeBatchTo(v.batch(), w);
            }
            case Persisted.Certified c -> {
                w.u8(CERTIFIED);
                WireCodec.writeCommitCertificateTo(c.certificate(), w);
                WireCodec.writeBatchTo(c.batch(), w);
            }
            case Persisted.Stable s -> {
                w.u8(STABLE);
                WireCodec.writeCheckpointCertificateTo(s.certificate(), w);
            }
            case Persisted.Delivered d -> {
                w.u8(DELIVERED).i64(d.slot());
                WireCodec.writeBatchTo(d.batch(), w);
            }
            case Persisted.Compacted c -> {
                w.u8(COMPACTED).i64(c.nextSlot()).fixed(c.logHash().value()).i32(c.clients().size());
                for (ClientTable.Entry e : c.clients()) w.i64(e.clientId()).i64(e.timestamp()).i64(e.slot());
            }
        }
        return w.toByteArray();
    }

    public static Persisted decode(byte[] bytes) throws MalformedMessageException {
        WireReader r = new WireReader(bytes);
        int version = r.u8();
        if (version != VERSION) throw new MalformedMessageException(Reason.UNKNOWN_VERSION, "record version " + version);
        int tag = r.u8();
        try {
            Persisted p = switch (tag) {
                case PROMISED -> new Persisted.Promised(seq(r, "pn"));
                case ENTERED_VIEW -> new Persisted.EnteredView(seq(r, "pn"));
                case VOTED -> new Persisted.Voted(seq(r, "slot"), seq(r, "pn"), WireCodec.readBatchFrom(r));
                case CERTIFIED -> new Persisted.Certified(WireCodec.readCommitCertificateFrom(r), WireCodec.readBatchFrom(r));
                case STABLE -> new Persisted.Stable(WireCodec.readCheckpointCertificateFrom(r));
                case DELIVERED -> new Persisted.Delivered(seq(r, "slot"), WireCodec.readBatchFrom(r));
                case COMPACTED -> {
                    long nextSlot = seq(r, "nextSlot");
                    Digest hash = new Digest(r.fixed(Digest.LENGTH));
                    int n = r.count(Integer.MAX_VALUE, CLIENT_ENTRY_BYTES, "clients");
                    List<ClientTable.Entry> clients = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        clients.add(new ClientTable.Entry(r.u63(Long.MAX_VALUE, "clientId"), seq(r, "timestamp"), seq(r, "slot")));
                    }
                    yield new Persisted.Compacted(nextSlot, hash, clients);
                }
                default -> throw new MalformedMessageException(Reason.UNKNOWN_TYPE, "record tag " + tag);
            };
            r.expectEnd();
            return p;
        } catch (IllegalArgumentException | NullPointerException invalid) {
            throw new MalformedMessageException(Reason.INVALID_FIELD, String.valueOf(invalid.getMessage()));
        }
    }

    private static long seq(WireReader r, String field) throws MalformedMessageException {
        return r.u63(WireLimits.SEQUENCE_MAX, field);
    }
}
