package io.bulwark.runtime.node;

import io.bulwark.agreement.AgreementNode;
import io.bulwark.agreement.FabConfig;
import io.bulwark.agreement.Persisted;
import io.bulwark.core.codec.MalformedMessageException;
import io.bulwark.core.crypto.PairwiseRequestAuthenticator;
import io.bulwark.core.crypto.SignatureVerifier;
import io.bulwark.core.crypto.ThresholdVerifier;
import io.bulwark.firewall.threshold.ShoupThresholdVerifier;
import io.bulwark.core.step.ProtocolCore;
import io.bulwark.runtime.config.ClusterConfig;
import io.bulwark.runtime.config.Identity;
import io.bulwark.runtime.storage.AgreementRecordCodec;
import io.bulwark.runtime.storage.WriteAheadLog;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** An {@link AgreementNode} with its write-ahead log in {@code <data>/wal}. */
public final class AgreementCore implements HostedCore {
    private static final Logger log = LoggerFactory.getLogger(AgreementCore.class);

    private final AgreementNode node;
    private final WriteAheadLog wal;
    private final ClusterConfig config;
    private final boolean macs;
    private long reportedPn = -1;
    private boolean reportedNormal = true;

    private AgreementCore(AgreementNode node, WriteAheadLog wal, ClusterConfig config, boolean macs) {
        this.node = node;
        this.wal = wal;
        this.config = config;
        this.macs = macs;
        this.reportedPn = node.pn();
        this.reportedNormal = node.isNormal();
    }

    /**
     * Opens the log under {@code dataDir} and rebuilds the node from it (a fresh node if it is
     * empty). Execution nodes of the cluster are the node's external learners; with a privacy
     * firewall there are none (the node sends ORDERED to filter row 0 instead) and the node
     * checks the execution cluster's EXECUTED-CERTIFICATEs with its threshold public key.
     */
    public static AgreementCore open(ClusterConfig config, Identity identity, FabConfig fab, SignatureVerifier signatures,
            Path dataDir, WriteAheadLog.Options walOptions) throws IOException {
        int self = (int) identity.principal().id();
        WriteAheadLog wal = WriteAheadLog.open(dataDir.resolve("wal"), walOptions);
        try {
            List<Persisted> records = new ArrayList<>();
            int i = 0;
            for (byte[] b : wal.recoveredRecords()) {
                try {
                    records.add(AgreementRecordCodec.decode(b));
                } catch (MalformedMessageException e) {
                    throw new IOException("write-ahead log in " + wal.dir() + ": record " + i + " passed its checksum but cannot be read ("
                            + e.getMessage() + "); was it written by another version?");
                }
                i++;
            }
            boolean firewall = config.spec().firewall();
            int[] learners = firewall ? new int[0] : config.executionNodeIds();
            ThresholdVerifier executionKey = firewall ? new ShoupThresholdVerifier(config.thresholdPublicKey()) : null;
            AgreementNode node;
            boolean macs = true;
            var authenticator = new PairwiseRequestAuthenticator(identity.principal(), identity.x25519Secret(), config.agreementKeys());
            if (records.isEmpty()) {
                node = new AgreementNode(config.spec(), fab, self, identity.signer(), signatures, authenticator, learners, executionKey);
            } else {
                node = AgreementNode.recover(config.spec(), fab, self, identity.signer(), signatures, authenticator, learners, records,
                        executionKey);
                log.info("{} recovered from {} log records ({} segment(s){}): pn={} {} next-slot={}", identity.principal(),
                        records.size(), wal.recovery().segments(),
                        wal.recovery().truncatedBytes() > 0 ? ", " + wal.recovery().truncatedBytes() + " torn bytes dropped" : "",
                        node.pn(), node.isNormal() ? "normal" : "view-change", node.nextSlotToDeliver());
            }
            return new AgreementCore(node, wal, config, macs);
        } catch (IOException | RuntimeException e) {
            wal.close();
            throw e;
        }
    }

    public AgreementNode node() {
        return node;
    }

    public WriteAheadLog wal() {
        return wal;
    }

    /** Whether this node checks clients' MAC authenticators (false after a recovery, see {@link #open}). */
    public boolean checksMacs() {
        return macs;
    }

    @Override
    public String role() {
        return "agreement";
    }

    @Override
    public ProtocolCore core() {
        return node;
    }

    @Override
    public long persist(List<Object> records) throws IOException {
        boolean promises = false;
        for (Object r : records) {
            wal.append(AgreementRecordCodec.encode((Persisted) r));
            promises |= ((Persisted) r).isPromise();
        }
        return wal.sync(promises);
    }

    @Override
    public void afterBatch() throws IOException {
        if (wal.needsCompaction()) {
            long before = wal.liveBytes();
            List<byte[]> state = new ArrayList<>();
            for (Persisted p : node.compactedState()) state.add(AgreementRecordCodec.encode(p));
            wal.compact(state);
            log.info("node-{}: compacted the write-ahead log from {} to {} bytes ({} records)", node.id(), before, wal.liveBytes(),
                    state.size());
        }
    }

    @Override
    public boolean isLeader() {
        return node.isLeader();
    }

    @Override
    public String status() {
        return "pn=" + node.pn() + " " + (node.isNormal() ? "normal" : "view-change") + " leader=node-"
                + config.spec().leaderOf(node.pn()) + " next-slot=" + node.nextSlotToDeliver() + " stable=" + node.stableSlot()
                + " pending=" + node.watchedRequests() + " rejected=" + node.rejectedRequests()
                + " learned fast/slow/peers=" + node.learner().learnedFast() + "/" + node.learner().learnedSlow() + "/"
                + node.learner().learnedFromPeers();
    }

    @Override
    public String notableChange() {
        long pn = node.pn();
        boolean normal = node.isNormal();
        if (pn == reportedPn && normal == reportedNormal) return null;
        reportedPn = pn;
        reportedNormal = normal;
        int leader = config.spec().leaderOf(pn);
        return normal ? "entered view pn=" + pn + " (leader node-" + leader + ")"
                : "view change to pn=" + pn + " (next leader node-" + leader + ")";
    }

    @Override
    public io.bulwark.runtime.storage.WalStats walStats() {
        return wal.stats();
    }

    @Override
    public long nextSlot() {
        return node.nextSlotToDeliver();
    }

    @Override
    public void close() throws IOException {
        wal.close();
    }
}
