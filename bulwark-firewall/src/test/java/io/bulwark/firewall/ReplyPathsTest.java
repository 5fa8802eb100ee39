package io.bulwark.firewall;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.crypto.ReplyMerkleTree;
import io.bulwark.core.message.ReplyLeaf;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplyPathsTest {
    @Test
    void everyPathEqualsTheOneReplyMerkleTreeComputesAndVerifies() {
        for (int n = 0; n <= 70; n++) {
            List<ReplyLeaf> leaves = new ArrayList<>();
            for (int i = 0; i < n; i++) leaves.add(new ReplyLeaf(i, i + 1, Bytes.ofUtf8("reply " + i + " of " + n)));
            long slot = 1000 + n;
            var paths = ReplyPaths.all(slot, leaves);
            assertThat(paths).hasSize(n);
            var root = ReplyMerkleTree.root(slot, leaves);
            for (int i = 0; i < n; i++) {
                assertThat(paths.get(i)).as("n=%d leaf %d", n, i).isEqualTo(ReplyMerkleTree.path(slot, leaves, i));
                assertThat(ReplyMerkleTree.verify(slot, leaves.get(i), i, n, paths.get(i), root)).isTrue();
            }
        }
    }
}
