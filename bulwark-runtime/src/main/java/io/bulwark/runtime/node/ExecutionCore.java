package io.bulwark.runtime.node;

import io.bulwark.agreement.FabConfig;
import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.codec.MalformedMessageException;
import io.bulwark.core.crypto.Digest;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.crypto.SignatureVerifier;
import io.bulwark.core.message.Message;
import io.bulwark.core.step.Outbox;
import io.bulwark.execution.ExecutionConfig;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link ExecutionNode} running a {@link StateMachine}, with its checkpoint states in
 * {@code <data>/checkpoints/<slot>.state} (written atomically, the newest two kept) and a
 * reference to each (slot and SHA-256) in the write-ahead log {@code <data>/wal}.
 */
public final class ExecutionCore implements HostedCore {
    private static final Logger log = LoggerFactory.getLogger(ExecutionCore.class);

    private final ExecutionNode node;
    private final WriteAheadLog wal;
    private final CheckpointStore checkpoints;
    private long reportedTransfers;

    private ExecutionCore(ExecutionNode node, WriteAheadLog wal, CheckpointStore checkpoints) {
        this.node = node;
        this.wal = wal;
        this.checkpoints = checkpoints;
    }

    public static ExecutionCore open(ClusterConfig config, Identity identity, FabConfig fab, ExecutionConfig execution,
            SignatureVerifier signatures, StateMachine stateMachine, Path dataDir, WriteAheadLog.Options walOptions)
            throws IOException {
        int self = (int) identity.principal().id();
        CheckpointStore store = new CheckpointStore(dataDir.resolve("checkpoints"));
        WriteAheadLog wal = WriteAheadLog.open(dataDir.resolve("wal"), walOptions);
        try {
            Map<Long, Digest> refs = new HashMap<>();
            for (byte[] b : wal.recoveredRecords()) {
                try {
                    CheckpointRef ref = ExecutionRecordCodec.decode(b);
                    refs.put(ref.slot(), ref.stateHash());
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
            ExecutionNode node = ExecutionNode.recover(config.spec(), fab.quorums(), execution, self, identity.signer(), signatures,
                    stateMachine, records);
            if (!records.isEmpty()) {
                log.info("{} recovered from checkpoint files at slots {}: next-slot={}", identity.principal(), store.slots(),
                        node.nextSlot());
            }
            return new ExecutionCore(node, wal, store);
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
    public void start(long nowNanos, Outbox out) {
        node.start(nowNanos, out);
    }

    @Override
    public void onMessage(long nowNanos, Principal from, Message m, Outbox out) {
        node.onMessage(nowNanos, from, m, out);
    }

    @Override
    public void onTimer(long nowNanos, Object key, Outbox out) {
        node.onTimer(nowNanos, key, out);
    }

    @Override
    public long persist(List<Object> records) throws IOException {
        for (Object r : records) {
            if (r instanceof ExecutionPersisted.Checkpoint c) {
                checkpoints.write(c.slot(), c.state()); // fsynced, whatever the policy: written once per K slots
                wal.append(ExecutionRecordCodec.encode(new CheckpointRef(c.slot(), Digest.sha256(c.state().toByteArray()))));
            } else {
                throw new IllegalArgumentException("unknown execution record " + r.getClass().getName());
            }
        }
        return wal.sync();
    }

    @Override
    public void afterBatch() throws IOException {
        if (wal.needsCompaction()) {
            List<byte[]> refs = new ArrayList<>();
            for (long slot : checkpoints.slots()) {
                Bytes state = checkpoints.read(slot);
                if (state != null) refs.add(ExecutionRecordCodec.encode(new CheckpointRef(slot, Digest.sha256(state.toByteArray()))));
            }
            wal.compact(refs);
        }
    }

    @Override
    public String status() {
        return "next-slot=" + node.nextSlot() + " executed=" + node.executedRequests() + " checkpoints=" + node.checkpointsTaken()
                + " certified=" + node.checkpointsCertified() + " state-transfers=" + node.stateTransfersDone()
                + " app-errors=" + node.applicationErrors() + " learned fast/slow/peers=" + node.learner().learnedFast() + "/"
                + node.learner().learnedSlow() + "/" + node.learner().learnedFromPeers();
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
