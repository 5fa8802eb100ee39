package io.bulwark.runtime.node;

import io.bulwark.agreement.FabConfig;
import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.codec.MalformedMessageException;
import io.bulwark.core.crypto.Digest;
import io.bulwark.core.crypto.SignatureVerifier;
import io.bulwark.core.step.ProtocolCore;
import io.bulwark.execution.ExecutionConfig;
import io.bulwark.execution.ExecutionFirewall;
import io.bulwark.execution.ExecutionNode;
import io.bulwark.execution.ExecutionPersisted;
import io.bulwark.execution.StateMachine;
import io.bulwark.runtime.config.ClusterConfig;
import io.bulwark.runtime.config.Identity;
import io.bulwark.runtime.storage.CheckpointStore;
import io.bulwark.runtime.storage.ExecutionRecordCodec;
import io.bulwark.runtime.storage.ExecutionRecordCodec.CheckpointRef;
import io.bulwark.runtime.storage.WriteAheadLog;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link ExecutionNode} running a {@link StateMachine}, with its checkpoint states in
 * {@code <data>/checkpoints/<slot>.state} (written atomically, the newest two kept) and a
 * reference to each (slot and SHA-256) in the write-ahead log {@code <data>/wal}. In firewall
 * mode the log also holds, with each checkpoint, the node's REPLY-SHAREs of the slots before it
 * ({@link ExecutionPersisted.ReplyShares}), so that a restarted node can still answer for them.
 */
public final class ExecutionCore implements HostedCore {
    private static final Logger log = LoggerFactory.getLogger(ExecutionCore.class);

    private final ExecutionNode node;
    private final WriteAheadLog wal;
    private final CheckpointStore checkpoints;
    /** Firewall: the share records logged with the checkpoints still on disk, by slot (kept across compaction). */
    private final TreeMap<Long, ExecutionPersisted.ReplyShares> shareRecords;
    private final boolean firewall;
    private long reportedTransfers;

    private ExecutionCore(ExecutionNode node, WriteAheadLog wal, CheckpointStore checkpoints,
            TreeMap<Long, ExecutionPersisted.ReplyShares> shareRecords, boolean firewall) {
        this.firewall = firewall;
        this.node = node;
        this.wal = wal;
        this.checkpoints = checkpoints;
        this.shareRecords = shareRecords;
    }

    public static ExecutionCore open(ClusterConfig config, Identity identity, FabConfig fab, ExecutionConfig execution,
            SignatureVerifier signatures, StateMachine stateMachine, Path dataDir, WriteAheadLog.Options walOptions)
            throws IOException {
        return open(config, identity, fab, execution, signatures, stateMachine, null, dataDir, walOptions);
    }

    /**
     * @param firewall required iff the cluster has a privacy firewall: this node's threshold key
     *                 share and the client seals
     */
    public static ExecutionCore open(ClusterConfig config, Identity identity, FabConfig fab, ExecutionConfig execution,
            SignatureVerifier signatures, StateMachine stateMachine, ExecutionFirewall firewall, Path dataDir,
            WriteAheadLog.Options walOptions) throws IOException {
        int self = (int) identity.principal().id();
        CheckpointStore store = new CheckpointStore(dataDir.resolve("checkpoints"));
        WriteAheadLog wal = WriteAheadLog.open(dataDir.resolve("wal"), walOptions);
        try {
            Map<Long, Digest> refs = new HashMap<>();
            TreeMap<Long, ExecutionPersisted.ReplyShares> shareRecords = new TreeMap<>();
            for (byte[] b : wal.recoveredRecords()) {
                try {
                    switch (ExecutionRecordCodec.decodeRecord(b)) {
                        case CheckpointRef ref -> refs.put(ref.slot(), ref.stateHash());
                        case ExecutionPersisted.ReplyShares rs -> shareRecords.put(rs.slot(), rs);
                        default -> throw new MalformedMessageException(MalformedMessageException.Reason.UNKNOWN_TYPE, "record");
                    }
                } catch (MalformedMessageException e) {
                    throw new IOException("write-ahead log in " + wal.dir() + ": unreadable record (" + e.getMessage() + ")");
                }
            }
            List<ExecutionPersisted> records = new ArrayList<>();
            for (long slot : store.slots()) {
                Bytes state = store.read(slot);
                if (state == null) continue;
                Digest expected = refs.get(slot);
                if (expected != null && !expected.equals(Digest.sha256(state.toByteArray()))) {
                    log.warn("{}: checkpoint file {} does not match its log record; ignoring it", identity.principal(), store.file(slot));
                    continue;
                }
                records.add(new ExecutionPersisted.Checkpoint(slot, state));
            }
            shareRecords.keySet().retainAll(store.slots());
            records.addAll(shareRecords.values());
            ExecutionNode node = ExecutionNode.recover(config.spec(), fab.quorums(), execution, self, identity.signer(), signatures,
                    stateMachine, records, firewall);
            if (!records.isEmpty()) {
                log.info("{} recovered from checkpoint files at slots {}: next-slot={}", identity.principal(), store.slots(),
                        node.nextSlot());
            }
            return new ExecutionCore(node, wal, store, shareRecords, firewall != null);
        } catch (IOException | RuntimeException e) {
            wal.close();
            throw e;
        }
    }

    public ExecutionNode node() {
        return node;
    }

    public CheckpointStore checkpoints() {
        return checkpoints;
    }

    @Override
    public String role() {
        return "execution";
    }

    @Override
    public ProtocolCore core() {
        return node;
    }

    @Override
    public long persist(List<Object> records) throws IOException {
        for (Object r : records) {
            switch ((ExecutionPersisted) r) {
                case ExecutionPersisted.Checkpoint c -> {
                    checkpoints.write(c.slot(), c.state()); // fsynced, whatever the policy: written once per K slots
                    wal.append(ExecutionRecordCodec.encode(new CheckpointRef(c.slot(), Digest.sha256(c.state().toByteArray()))));
                }
                case ExecutionPersisted.ReplyShares rs -> {
                    wal.append(ExecutionRecordCodec.encode(rs));
                    shareRecords.put(rs.slot(), rs);
                }
            }
        }
        shareRecords.keySet().retainAll(checkpoints.slots()); // those of deleted checkpoints are of no more use
        return wal.sync();
    }

    @Override
    public void afterBatch() throws IOException {
        if (wal.needsCompaction()) {
            List<byte[]> refs = new ArrayList<>();
            for (long slot : checkpoints.slots()) {
                Bytes state = checkpoints.read(slot);
                if (state != null) refs.add(ExecutionRecordCodec.encode(new CheckpointRef(slot, Digest.sha256(state.toByteArray()))));
                ExecutionPersisted.ReplyShares rs = shareRecords.get(slot);
                if (rs != null) refs.add(ExecutionRecordCodec.encode(rs));
            }
            wal.compact(refs);
        }
    }

    @Override
    public String status() {
        return "next-slot=" + node.nextSlot() + " executed=" + node.executedRequests() + " checkpoints=" + node.checkpointsTaken()
                + " certified=" + node.checkpointsCertified() + " state-transfers=" + node.stateTransfersDone()
                + " app-errors=" + node.applicationErrors() + (firewall
                        ? " shares sent/resent=" + node.sharesSent() + "/" + node.sharesResent() + " unopenable-requests="
                                + node.unreadableRequests()
                        : " learned fast/slow/peers=" + node.learner().learnedFast() + "/" + node.learner().learnedSlow() + "/"
                                + node.learner().learnedFromPeers());
    }

    @Override
    public String notableChange() {
        long t = node.stateTransfersDone();
        if (t == reportedTransfers) return null;
        reportedTransfers = t;
        return "caught up by state transfer to slot " + (node.nextSlot() - 1);
    }

    @Override
    public io.bulwark.runtime.storage.WalStats walStats() {
        return wal.stats();
    }

    @Override
    public long nextSlot() {
        return node.nextSlot();
    }

    @Override
    public void close() throws IOException {
        wal.close();
    }
}
