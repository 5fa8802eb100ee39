package io.bulwark.runtime.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.codec.MalformedMessageException;
import io.bulwark.core.crypto.Digest;
import io.bulwark.core.message.ReplyLeaf;
import io.bulwark.core.message.ReplyShare;
import io.bulwark.execution.ExecutionPersisted;
import io.bulwark.runtime.storage.ExecutionRecordCodec.CheckpointRef;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExecutionRecordCodecTest {
    private static ExecutionPersisted.ReplyShares shares() {
        return new ExecutionPersisted.ReplyShares(15, List.of(
                new ReplyShare(14, List.of(), Bytes.ofUtf8("share-14")),
                new ReplyShare(15, List.of(new ReplyLeaf(3, 77, Bytes.ofUtf8("sealed")), new ReplyLeaf(4, 1, Bytes.EMPTY)),
                        Bytes.ofUtf8("share-15"))));
    }

    @Test
    void recordsRoundTrip() throws Exception {
        CheckpointRef ref = new CheckpointRef(15, Digest.sha256(new byte[] {1, 2}));
        assertThat(ExecutionRecordCodec.decodeRecord(ExecutionRecordCodec.encode(ref))).isEqualTo(ref);
        assertThat(ExecutionRecordCodec.decode(ExecutionRecordCodec.encode(ref))).isEqualTo(ref);
        assertThat(ExecutionRecordCodec.decodeRecord(ExecutionRecordCodec.encode(shares()))).isEqualTo(shares());
        var empty = new ExecutionPersisted.ReplyShares(0, List.of());
        assertThat(ExecutionRecordCodec.decodeRecord(ExecutionRecordCodec.encode(empty))).isEqualTo(empty);
    }

    @Test
    void everyTruncationOrExtensionIsRejected() {
        byte[] good = ExecutionRecordCodec.encode(shares());
        for (int n = 0; n < good.length; n++) {
            byte[] cut = Arrays.copyOf(good, n);
            assertThatThrownBy(() -> ExecutionRecordCodec.decodeRecord(cut)).as("first %d bytes", n)
                    .isInstanceOf(MalformedMessageException.class);
        }
        byte[] longer = Arrays.copyOf(good, good.length + 1);
        assertThatThrownBy(() -> ExecutionRecordCodec.decodeRecord(longer)).isInstanceOf(MalformedMessageException.class);
        byte[] tag = good.clone();
        tag[1] = 9;
        assertThatThrownBy(() -> ExecutionRecordCodec.decodeRecord(tag)).isInstanceOf(MalformedMessageException.class);
        assertThatThrownBy(() -> ExecutionRecordCodec.decode(good)).as("shares where a checkpoint reference is expected")
                .isInstanceOf(MalformedMessageException.class);
    }
}
