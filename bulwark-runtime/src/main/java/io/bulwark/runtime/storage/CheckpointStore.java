package io.bulwark.runtime.storage;

import io.bulwark.core.bytes.Bytes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.TreeSet;

/**
 * Large state snapshots (an execution node's application state at a checkpoint) kept beside
 * the write-ahead log as {@code <dir>/<slot>.state}, so that the log holds only a reference.
 * Each file is written atomically: {@code <slot>.state.tmp}, fsync, rename, fsync of the
 * directory. Only the newest {@link #KEEP} are kept.
 */
public final class CheckpointStore {
    public static final int KEEP = 2;
    private static final String SUFFIX = ".state";

    private final Path dir;
    private final TreeSet<Long> slots = new TreeSet<>();

    public CheckpointStore(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (name.endsWith(".tmp")) {
                    Files.deleteIfExists(p);
                } else if (name.endsWith(SUFFIX)) {
                    try {
                        slots.add(Long.parseLong(name.substring(0, name.length() - SUFFIX.length())));
                    } catch (NumberFormatException ignored) {
                        // not ours
                    }
                }
            }
        }
    }

    public Path file(long slot) {
        return dir.resolve(slot + SUFFIX);
    }

    /** Durably stores {@code state} as the checkpoint at {@code slot}, then drops all but the newest {@link #KEEP}. */
    public void write(long slot, Bytes state) throws IOException {
        Path target = file(slot);
        Path tmp = dir.resolve(slot + SUFFIX + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer b = state.asReadOnlyBuffer();
            while (b.hasRemaining()) ch.write(b);
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // directory fsync unsupported here
        }
        slots.add(slot);
        while (slots.size() > KEEP) Files.deleteIfExists(file(slots.pollFirst()));
    }

    /** The state stored at {@code slot}, or null if there is none. */
    public Bytes read(long slot) throws IOException {
        try {
            return Bytes.wrapOwned(Files.readAllBytes(file(slot)));
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Slots with a stored checkpoint, oldest first. */
    public TreeSet<Long> slots() {
        return new TreeSet<>(slots);
    }

    /** The newest stored slot, or -1. */
    public long latest() {
        return slots.isEmpty() ? -1 : slots.last();
    }
}
