package io.bulwark.firewall;

import io.bulwark.core.crypto.Digest;
import io.bulwark.core.crypto.ReplyMerkleTree;
import io.bulwark.core.message.ReplyLeaf;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * Every leaf's authentication path of one slot's {@link ReplyMerkleTree}, in one pass: each
 * subtree is hashed once, so a slot of n replies costs O(n log n) hashes instead of the O(n²)
 * of calling {@link ReplyMerkleTree#path} per leaf. Same shapes and bytes as ReplyMerkleTree
 * (RFC 9162 §2.1; node = SHA-256(0x01 || left || right)); a test checks them path for path.
 */
final class ReplyPaths {
    private ReplyPaths() {}

    /** paths.get(i) is leaf i's path, bottom-up, equal to {@code ReplyMerkleTree.path(slot, leaves, i)}. */
    static List<List<Digest>> all(long slot, List<ReplyLeaf> leaves) {
        int n = leaves.size();
        Digest[] hashes = new Digest[n];
        List<List<Digest>> paths = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            hashes[i] = ReplyMerkleTree.leafHash(slot, leaves.get(i));
            paths.add(new ArrayList<>());
        }
        if (n > 0) subtree(hashes, paths, 0, n);
        List<List<Digest>> out = new ArrayList<>(n);
        for (List<Digest> p : paths) out.add(List.copyOf(p));
        return out;
    }

    /** The hash of leaves [from, to), after appending this level's sibling to every path below it. */
    private static Digest subtree(Digest[] hashes, List<List<Digest>> paths, int from, int to) {
        int n = to - from;
        if (n == 1) return hashes[from];
        int k = Integer.highestOneBit(n - 1);
        Digest left = subtree(hashes, paths, from, from + k);
        Digest right = subtree(hashes, paths, from + k, to);
        for (int i = from; i < from + k; i++) paths.get(i).add(right);
        for (int i = from + k; i < to; i++) paths.get(i).add(left);
        return node(left, right);
    }

    private static Digest node(Digest left, Digest right) {
        MessageDigest sha = Digest.newSha256();
        sha.update((byte) 1);
        left.value().writeTo(sha);
        right.value().writeTo(sha);
        return new Digest(io.bulwark.core.bytes.Bytes.wrapOwned(sha.digest()));
    }
}
