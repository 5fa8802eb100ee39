package io.bulwark.core.crypto;

import io.bulwark.core.message.ReplyLeaf;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * The Merkle tree over one slot's replies (RFC 9162 §2.1 shapes: leaf = SHA-256(0x00 || leaf
 * bytes), node = SHA-256(0x01 || left || right), split at the largest power of two below the
 * size). The execution cluster threshold-signs only the root, once per slot; each client gets
 * its own leaf and path. A path carries hashes of other clients' sealed replies, never their
 * bytes or lengths.
 *
 * <p>Leaf bytes: u64 slot || u64 clientId || u64 timestamp || u32 length || sealed result. The
 * root is SHA-256(0x03 || u32 leaf count || tree hash), so that the count is bound too; the root
 * of a slot with no replies is SHA-256(0x02 || u64 slot).
 */
public final class ReplyMerkleTree {
    private ReplyMerkleTree() {}

    public static Digest leafHash(long slot, ReplyLeaf leaf) {
        MessageDigest sha = Digest.newSha256();
        sha.update((byte) 0);
        sha.update(ByteBuffer.allocate(28).putLong(slot).putLong(leaf.clientId()).putLong(leaf.timestamp())
                .putInt(leaf.sealedResult().length()).array());
        sha.update(leaf.sealedResult().toByteArray());
        return new Digest(io.bulwark.core.bytes.Bytes.wrapOwned(sha.digest()));
    }

    public static Digest root(long slot, List<ReplyLeaf> leaves) {
        if (leaves.isEmpty()) {
            MessageDigest sha = Digest.newSha256();
            sha.update((byte) 2);
            sha.update(ByteBuffer.allocate(8).putLong(slot).array());
            return new Digest(io.bulwark.core.bytes.Bytes.wrapOwned(sha.digest()));
        }
        return sized(leaves.size(), subtreeRoot(hashes(slot, leaves), 0, leaves.size()));
    }

    /** Binds the leaf count into the root, so a path cannot be replayed as a leaf of a tree of another size. */
    private static Digest sized(int count, Digest treeHash) {
        MessageDigest sha = Digest.newSha256();
        sha.update((byte) 3);
        sha.update(ByteBuffer.allocate(4).putInt(count).array());
        sha.update(treeHash.value().toByteArray());
        return new Digest(io.bulwark.core.bytes.Bytes.wrapOwned(sha.digest()));
    }

    /** The authentication path of leaf {@code index}, bottom-up. */
    public static List<Digest> path(long slot, List<ReplyLeaf> leaves, int index) {
        if (index < 0 || index >= leaves.size()) throw new IllegalArgumentException("no leaf " + index);
        List<Digest> path = new ArrayList<>();
        collectPath(hashes(slot, leaves), index, 0, leaves.size(), path);
        return path;
    }

    /**
     * Every leaf's path in one pass (paths.get(i) equals {@code path(slot, leaves, i)}): each
     * subtree is hashed once, O(n log n) hashes for n replies instead of O(n²) by calling
     * {@link #path} per leaf. Row-0 filters use it to cut a slot's certificate per client.
     */
    public static List<List<Digest>> paths(long slot, List<ReplyLeaf> leaves) {
        int n = leaves.size();
        Digest[] h = hashes(slot, leaves);
        List<List<Digest>> paths = new ArrayList<>(n);
        for (int i = 0; i < n; i++) paths.add(new ArrayList<>());
        if (n > 0) subtreeWithPaths(h, paths, 0, n);
        List<List<Digest>> out = new ArrayList<>(n);
        for (List<Digest> p : paths) out.add(List.copyOf(p));
        return out;
    }

    /** The hash of leaves [from, to), after appending this level's sibling to every path below it. */
    private static Digest subtreeWithPaths(Digest[] h, List<List<Digest>> paths, int from, int to) {
        int n = to - from;
        if (n == 1) return h[from];
        int k = Integer.highestOneBit(n - 1);
        Digest left = subtreeWithPaths(h, paths, from, from + k);
        Digest right = subtreeWithPaths(h, paths, from + k, to);
        for (int i = from; i < from + k; i++) paths.get(i).add(right);
        for (int i = from + k; i < to; i++) paths.get(i).add(left);
        return node(left, right);
    }

    /** Whether {@code leaf} is leaf {@code index} of {@code count} under {@code root} (RFC 9162 §2.1.3.2). */
    public static boolean verify(long slot, ReplyLeaf leaf, int index, int count, List<Digest> path, Digest root) {
        return rootFromPath(slot, leaf, index, count, path).map(root::equals).orElse(false);
    }

    /**
     * The root that {@code path} proves {@code leaf} to be leaf {@code index} of {@code count}
     * under, or empty if the path has the wrong shape for that position. The caller then checks
     * a signature on that root (a client does not know the root beforehand).
     */
    public static java.util.Optional<Digest> rootFromPath(long slot, ReplyLeaf leaf, int index, int count, List<Digest> path) {
        if (count < 1 || index < 0 || index >= count) return java.util.Optional.empty();
        long fn = index, sn = count - 1L;
        Digest r = leafHash(slot, leaf);
        for (Digest p : path) {
            if (sn == 0) return java.util.Optional.empty();
            if ((fn & 1) == 1 || fn == sn) {
                r = node(p, r);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            } else {
                r = node(r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 ? java.util.Optional.of(sized(count, r)) : java.util.Optional.empty();
    }

    private static Digest[] hashes(long slot, List<ReplyLeaf> leaves) {
        Digest[] h = new Digest[leaves.size()];
        for (int i = 0; i < h.length; i++) h[i] = leafHash(slot, leaves.get(i));
        return h;
    }

    private static Digest subtreeRoot(Digest[] h, int from, int to) {
        int n = to - from;
        if (n == 1) return h[from];
        int k = Integer.highestOneBit(n - 1);
        return node(subtreeRoot(h, from, from + k), subtreeRoot(h, from + k, to));
    }

    private static void collectPath(Digest[] h, int index, int from, int to, List<Digest> out) {
        int n = to - from;
        if (n == 1) return;
        int k = Integer.highestOneBit(n - 1);
        if (index < k) {
            collectPath(h, index, from, from + k, out);
            out.add(subtreeRoot(h, from + k, to));
        } else {
            collectPath(h, index - k, from + k, to, out);
            out.add(subtreeRoot(h, from, from + k));
        }
    }

    private static Digest node(Digest left, Digest right) {
        MessageDigest sha = Digest.newSha256();
        sha.update((byte) 1);
        sha.update(left.value().toByteArray());
        sha.update(right.value().toByteArray());
        return new Digest(io.bulwark.core.bytes.Bytes.wrapOwned(sha.digest()));
    }
}
