package io.bulwark.core.message;

import io.bulwark.core.bytes.Bytes;
import java.util.List;

/**
 * An acceptor's signed report for moving to proposal number {@code pn}: its stable
 * checkpoint and, for every slot above it that it knows of, its {@link SlotReport}. A new
 * leader's progress certificate is a report quorum (a−f) of these.
 *
 * @param stable the highest stable checkpoint certificate it holds, or null if none yet
 *               (then the log is reported from slot 0)
 */
public record ViewChange(int sender, long pn, CheckpointCertificate stable, List<SlotReport> reports, Bytes signature)
        implements Message {
    public ViewChange {
        Sequences.checkNode(sender, "sender");
        Sequences.check(pn, "pn");
        reports = List.copyOf(reports);
        if (reports.size() > WireLimits.REPORT_SLOTS_MAX) throw new IllegalArgumentException("too many slot reports");
        if (signature.length() > WireLimits.SIGNATURE_BYTES_MAX) throw new IllegalArgumentException("signature too large");
        long previous = -1;
        for (SlotReport r : reports) {
            if (r.slot() <= previous) throw new IllegalArgumentException("slot reports must be strictly increasing");
            if (stable != null && r.slot() <= stable.slot()) throw new IllegalArgumentException("report at or below the stable checkpoint");
            previous = r.slot();
        }
    }

    /** The lowest slot this report covers: one above its stable checkpoint. */
    public long firstReportedSlot() {
        return stable == null ? 0 : stable.slot() + 1;
    }
}
