package io.bulwark.core.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.crypto.Digest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The record invariants the decoder relies on to reject invalid messages. */
class MessageInvariantsTest {
    private static final Digest D = Digest.sha256(new byte[] {1});
    private static final long MAX = WireLimits.SEQUENCE_MAX;

    @Test
    void sequenceNumbersAreBoundedOnBothSides() {
        assertThat(new Accepted(MAX, MAX, D).pn()).isEqualTo(MAX);
        assertThatIllegalArgumentException().isThrownBy(() -> new Accepted(-1, 0, D));
        assertThatIllegalArgumentException().isThrownBy(() -> new Accepted(0, MAX + 1, D));
        assertThatIllegalArgumentException().isThrownBy(() -> new Commit(MAX + 1, 0, D));
        assertThatIllegalArgumentException().isThrownBy(() -> new Propose(0, -1, Batch.EMPTY));
        assertThatIllegalArgumentException().isThrownBy(() -> new Request(0, MAX + 1, Bytes.EMPTY, Bytes.EMPTY));
        assertThatIllegalArgumentException().isThrownBy(() -> new Reply(-1, 0, 0, Bytes.EMPTY));
        assertThatIllegalArgumentException().isThrownBy(() -> new Request(-1, 0, Bytes.EMPTY, Bytes.EMPTY, Bytes.EMPTY));
        assertThat(new ExecutionCheckpoint(0, MAX, D, Bytes.EMPTY).slot()).isEqualTo(MAX);
        assertThatIllegalArgumentException().isThrownBy(() -> new ExecutionCheckpoint(0, -1, D, Bytes.EMPTY));
        assertThatIllegalArgumentException().isThrownBy(() -> new ExecutionCheckpoint(0, MAX + 1, D, Bytes.EMPTY));
        assertThat(new StateRequest(MAX).slot()).isEqualTo(MAX);
        assertThatIllegalArgumentException().isThrownBy(() -> new StateRequest(-1));
        assertThatIllegalArgumentException().isThrownBy(() -> new StateRequest(MAX + 1));
        assertThatIllegalArgumentException().isThrownBy(() -> new StateSnapshot(-1, Bytes.EMPTY, List.of()));
        assertThatIllegalArgumentException().isThrownBy(() -> new StateSnapshot(MAX + 1, Bytes.EMPTY, List.of()));
    }

    @Test
    void nodeIdsAreBounded() {
        assertThat(new SignedAccept(WireLimits.NODES_MAX - 1, 0, 0, D, Bytes.EMPTY).acceptor()).isEqualTo(255);
        assertThatIllegalArgumentException().isThrownBy(() -> new SignedAccept(WireLimits.NODES_MAX, 0, 0, D, Bytes.EMPTY));
        assertThatIllegalArgumentException().isThrownBy(() -> new Checkpoint(-1, 0, D, Bytes.EMPTY));
        assertThatIllegalArgumentException().isThrownBy(() -> new ViewChange(-1, 0, null, List.of(), Bytes.EMPTY));
        assertThat(new ExecutionCheckpoint(WireLimits.NODES_MAX - 1, 0, D, Bytes.EMPTY).sender()).isEqualTo(255);
        assertThatIllegalArgumentException().isThrownBy(() -> new ExecutionCheckpoint(WireLimits.NODES_MAX, 0, D, Bytes.EMPTY));
        assertThatIllegalArgumentException().isThrownBy(() -> new ExecutionCheckpoint(-1, 0, D, Bytes.EMPTY));
    }

    @Test
    void variableSizeFieldsAreBounded() {
        Bytes tooLongSig = Bytes.wrapOwned(new byte[WireLimits.SIGNATURE_BYTES_MAX + 1]);
        assertThatIllegalArgumentException().isThrownBy(() -> new Request(0, 0, Bytes.EMPTY, tooLongSig));
        assertThatIllegalArgumentException().isThrownBy(() -> new SignedAccept(0, 0, 0, D, tooLongSig));
        assertThatIllegalArgumentException().isThrownBy(() -> new Checkpoint(0, 0, D, tooLongSig));
        assertThatIllegalArgumentException().isThrownBy(() -> new ViewChange(0, 0, null, List.of(), tooLongSig));
        assertThatIllegalArgumentException().isThrownBy(() -> new ExecutionCheckpoint(0, 0, D, tooLongSig));
        assertThatIllegalArgumentException().isThrownBy(() ->
                new Request(0, 0, Bytes.wrapOwned(new byte[WireLimits.OPERATION_BYTES_MAX + 1]), Bytes.EMPTY));
        assertThatIllegalArgumentException().isThrownBy(() ->
                new Reply(0, 0, 0, Bytes.wrapOwned(new byte[WireLimits.RESULT_BYTES_MAX + 1])));
        assertThatIllegalArgumentException().isThrownBy(() -> new DecisionQuery(0, 0));
        assertThatIllegalArgumentException().isThrownBy(() -> new DecisionQuery(0, WireLimits.QUERY_SLOTS_MAX + 1));
        List<Request> tooMany = new ArrayList<>();
        for (int i = 0; i <= WireLimits.BATCH_REQUESTS_MAX; i++) tooMany.add(new Request(i, 0, Bytes.EMPTY, Bytes.EMPTY));
        assertThatIllegalArgumentException().isThrownBy(() -> new Batch(0, tooMany));
        assertThat(new StateSnapshot(0, Bytes.wrapOwned(new byte[StateSnapshot.STATE_BYTES_MAX]), List.of()).state().length())
                .isEqualTo(StateSnapshot.STATE_BYTES_MAX);
        assertThatIllegalArgumentException().isThrownBy(() ->
                new StateSnapshot(0, Bytes.wrapOwned(new byte[StateSnapshot.STATE_BYTES_MAX + 1]), List.of()));
        assertThat(StateSnapshot.STATE_BYTES_MAX).isLessThan(WireLimits.FRAME_BYTES_MAX);
        List<ExecutionCheckpoint> tooManyCheckpoints = new ArrayList<>();
        for (int i = 0; i <= WireLimits.NODES_MAX; i++) tooManyCheckpoints.add(new ExecutionCheckpoint(i % 256, 0, D, Bytes.EMPTY));
        assertThatIllegalArgumentException().isThrownBy(() -> new StateSnapshot(0, Bytes.EMPTY, tooManyCheckpoints));
        assertThat(new StateSnapshot(0, Bytes.EMPTY, tooManyCheckpoints.subList(0, WireLimits.NODES_MAX)).certificate())
                .hasSize(WireLimits.NODES_MAX);
    }

    @Test
    void requestAuthenticatorsAreOptionalAndBounded() {
        Request bare = new Request(1, 2, Bytes.ofUtf8("op"), Bytes.EMPTY);
        assertThat(bare.authenticator()).isEqualTo(Bytes.EMPTY);
        assertThat(bare).isEqualTo(new Request(1, 2, Bytes.ofUtf8("op"), Bytes.EMPTY, Bytes.EMPTY));
        Bytes max = Bytes.wrapOwned(new byte[Request.AUTHENTICATOR_BYTES_MAX]);
        assertThat(new Request(1, 2, Bytes.EMPTY, Bytes.EMPTY, max).authenticator()).isEqualTo(max);
        assertThat(Request.AUTHENTICATOR_BYTES_MAX).isEqualTo(16 * WireLimits.NODES_MAX);
        assertThatIllegalArgumentException().isThrownBy(() ->
                new Request(1, 2, Bytes.EMPTY, Bytes.EMPTY, Bytes.wrapOwned(new byte[Request.AUTHENTICATOR_BYTES_MAX + 1])));
        assertThatNullPointerException().isThrownBy(() -> new Request(1, 2, Bytes.EMPTY, Bytes.EMPTY, null));
        // The authenticator is part of the value: same id, different request.
        Request tagged = new Request(1, 2, Bytes.ofUtf8("op"), Bytes.EMPTY, Bytes.wrapOwned(new byte[16]));
        assertThat(tagged).isNotEqualTo(bare);
        assertThat(tagged.id()).isEqualTo(bare.id());
    }

    @Test
    void stateSnapshotCertificatesAreForTheSnapshotsSlotAndCopied() {
        ExecutionCheckpoint at5 = new ExecutionCheckpoint(4, 5, D, Bytes.EMPTY);
        ExecutionCheckpoint at6 = new ExecutionCheckpoint(5, 6, D, Bytes.EMPTY);
        assertThatIllegalArgumentException().isThrownBy(() -> new StateSnapshot(5, Bytes.EMPTY, List.of(at5, at6)));
        assertThatNullPointerException().isThrownBy(() -> new StateSnapshot(5, null, List.of()));
        assertThatNullPointerException().isThrownBy(() -> new ExecutionCheckpoint(0, 0, null, Bytes.EMPTY));
        assertThatNullPointerException().isThrownBy(() -> new ExecutionCheckpoint(0, 0, D, null));

        List<ExecutionCheckpoint> cert = new ArrayList<>(List.of(at5));
        StateSnapshot s = new StateSnapshot(5, Bytes.ofUtf8("state"), cert);
        cert.add(new ExecutionCheckpoint(6, 5, D, Bytes.EMPTY));
        assertThat(s.certificate()).containsExactly(at5);
        assertThatThrownBy(() -> s.certificate().add(at5)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void batchTimeIsBoundedLikeOtherSequenceNumbers() {
        assertThat(new Batch(MAX, List.of()).timeMillis()).isEqualTo(MAX);
        assertThatIllegalArgumentException().isThrownBy(() -> new Batch(-1, List.of()));
        assertThatIllegalArgumentException().isThrownBy(() -> new Batch(MAX + 1, List.of()));
    }

    @Test
    void slotReportsAreNonEmptyAndConsistent() {
        Vote vote = new Vote(1, Batch.EMPTY);
        CommitCertificate cc = new CommitCertificate(1, 5, D, List.of());
        assertThatIllegalArgumentException().isThrownBy(() -> new SlotReport(5, null, null, null));
        assertThatIllegalArgumentException().isThrownBy(() -> new SlotReport(5, vote, cc, null));
        assertThatIllegalArgumentException().isThrownBy(() -> new SlotReport(5, vote, null, Batch.EMPTY));
        assertThatIllegalArgumentException().isThrownBy(() -> new SlotReport(6, null, cc, Batch.EMPTY));
        assertThat(new SlotReport(5, null, cc, Batch.EMPTY).commit()).isEqualTo(cc);
    }

    @Test
    void viewChangeReportsAreStrictlyIncreasingAndAboveTheStableCheckpoint() {
        SlotReport r5 = new SlotReport(5, new Vote(1, Batch.EMPTY), null, null);
        SlotReport r6 = new SlotReport(6, new Vote(1, Batch.EMPTY), null, null);
        CheckpointCertificate stable5 = new CheckpointCertificate(5, D, List.of());
        assertThatIllegalArgumentException().isThrownBy(() -> new ViewChange(0, 1, null, List.of(r6, r5), Bytes.EMPTY));
        assertThatIllegalArgumentException().isThrownBy(() -> new ViewChange(0, 1, null, List.of(r5, r5), Bytes.EMPTY));
        assertThatIllegalArgumentException().isThrownBy(() -> new ViewChange(0, 1, stable5, List.of(r5), Bytes.EMPTY));
        ViewChange ok = new ViewChange(0, 1, stable5, List.of(r6), Bytes.EMPTY);
        assertThat(ok.firstReportedSlot()).isEqualTo(6);
        assertThat(new ViewChange(0, 1, null, List.of(r5), Bytes.EMPTY).firstReportedSlot()).isZero();
        assertThatNullPointerException().isThrownBy(() -> new ViewChange(0, 1, null, List.of(), null));
    }

    @Test
    void newViewProposalsAreStrictlyIncreasing() {
        Proposal p1 = new Proposal(1, Batch.EMPTY);
        Proposal p2 = new Proposal(2, Batch.EMPTY);
        assertThatIllegalArgumentException().isThrownBy(() -> new NewView(0, List.of(), List.of(p2, p1)));
        assertThatIllegalArgumentException().isThrownBy(() -> new NewView(0, List.of(), List.of(p1, p1)));
        assertThat(new NewView(0, List.of(), List.of(p1, p2)).proposals()).hasSize(2);
    }

    @Test
    void listsAreCopiedSoCallersCannotChangeAMessageAfterwards() {
        List<Request> requests = new ArrayList<>(List.of(new Request(1, 1, Bytes.EMPTY, Bytes.EMPTY)));
        Batch b = new Batch(0, requests);
        Digest before = b.digest();
        requests.add(new Request(2, 2, Bytes.EMPTY, Bytes.EMPTY));
        assertThat(b.requests()).hasSize(1);
        assertThat(new Batch(0, b.requests()).digest()).isEqualTo(before);
        assertThatThrownBy(() -> b.requests().add(null)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void requestIdIdentifiesARequestAndOrdersByClientThenTimestamp() {
        Request r = new Request(3, 9, Bytes.ofUtf8("op"), Bytes.EMPTY);
        assertThat(r.id()).isEqualTo(new RequestId(3, 9)).hasToString("3/9");
        assertThat(new RequestId(1, 100).compareTo(new RequestId(2, 0))).isNegative();
        assertThat(new RequestId(2, 1).compareTo(new RequestId(2, 0))).isPositive();
    }
}
