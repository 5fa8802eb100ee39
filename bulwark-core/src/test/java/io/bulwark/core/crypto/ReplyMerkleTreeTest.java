package io.bulwark.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.message.ReplyLeaf;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplyMerkleTreeTest {
    private static List<ReplyLeaf> leaves(int n) {
        List<ReplyLeaf> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(new ReplyLeaf(100 + i, i, Bytes.ofUtf8("sealed " + i)));
        return out;
    }

    @Test
    void everyLeafOfEveryTreeSizeVerifiesAndNothingElseDoes() {
        for (int n = 1; n <= 33; n++) {
            List<ReplyLeaf> leaves = leaves(n);
            Digest root = ReplyMerkleTree.root(7, leaves);
            for (int i = 0; i < n; i++) {
                List<Digest> path = ReplyMerkleTree.path(7, leaves, i);
                assertThat(path.size()).isLessThanOrEqualTo(6);
                assertThat(ReplyMerkleTree.verify(7, leaves.get(i), i, n, path, root)).as("n=%d i=%d", n, i).isTrue();
                // Wrong slot, index, count, leaf, or a truncated path: rejected.
                assertThat(ReplyMerkleTree.verify(8, leaves.get(i), i, n, path, root)).isFalse();
                if (n > 1) {
                    assertThat(ReplyMerkleTree.verify(7, leaves.get(i), (i + 1) % n, n, path, root)).isFalse();
                    assertThat(ReplyMerkleTree.verify(7, leaves.get((i + 1) % n), i, n, path, root)).isFalse();
                    assertThat(ReplyMerkleTree.verify(7, leaves.get(i), i, n, path.subList(0, path.size() - 1), root)).isFalse();
                }
                assertThat(ReplyMerkleTree.verify(7, leaves.get(i), i, n + 1, path, root)).isFalse();
                ReplyLeaf tampered = new ReplyLeaf(leaves.get(i).clientId(), leaves.get(i).timestamp(), Bytes.ofUtf8("other"));
                assertThat(ReplyMerkleTree.verify(7, tampered, i, n, path, root)).isFalse();
            }
        }
    }

    @Test
    void rootBindsSlotOrderAndContent() {
        List<ReplyLeaf> leaves = leaves(5);
        List<ReplyLeaf> swapped = new ArrayList<>(leaves);
        swapped.set(0, leaves.get(1));
        swapped.set(1, leaves.get(0));
        assertThat(ReplyMerkleTree.root(7, leaves)).isNotEqualTo(ReplyMerkleTree.root(8, leaves))
                .isNotEqualTo(ReplyMerkleTree.root(7, swapped)).isNotEqualTo(ReplyMerkleTree.root(7, leaves.subList(0, 4)));
        assertThat(ReplyMerkleTree.root(7, List.of())).isNotEqualTo(ReplyMerkleTree.root(8, List.of()));
        assertThat(ReplyMerkleTree.root(7, leaves)).isEqualTo(ReplyMerkleTree.root(7, leaves(5)));
    }

    @Test
    void allPathsInOnePassEqualThePathsOneByOne() {
        for (int n = 0; n <= 70; n++) {
            List<ReplyLeaf> leaves = leaves(n);
            long slot = 1000 + n;
            var paths = ReplyMerkleTree.paths(slot, leaves);
            assertThat(paths).hasSize(n);
            var root = ReplyMerkleTree.root(slot, leaves);
            for (int i = 0; i < n; i++) {
                assertThat(paths.get(i)).as("n=%d leaf %d", n, i).isEqualTo(ReplyMerkleTree.path(slot, leaves, i));
                assertThat(ReplyMerkleTree.verify(slot, leaves.get(i), i, n, paths.get(i), root)).isTrue();
            }
        }
    }
}
