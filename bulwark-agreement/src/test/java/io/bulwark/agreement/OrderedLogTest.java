package io.bulwark.agreement;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.crypto.Digest;
import io.bulwark.core.message.Batch;
import io.bulwark.core.message.Request;
import io.bulwark.core.step.Outbox;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The in-order delivery shared by the FaB learner and firewall-mode execution nodes. */
class OrderedLogTest {
    record Delivered(long slot, Batch batch) {}

    static Batch batch(int i) {
        return new Batch(100 + i, List.of(new Request(i, 1, Bytes.ofUtf8("op" + i), Bytes.EMPTY)));
    }

    @Test
    void deliversEachSlotOnceInOrderWithinItsWindow() {
        List<Delivered> delivered = new ArrayList<>();
        OrderedLog log = new OrderedLog(4, 3, (slot, b, out) -> delivered.add(new Delivered(slot, b)));
        Outbox out = new Outbox();
        assertThat(log.offer(2, batch(2), out)).isTrue();
        assertThat(log.offer(1, batch(1), out)).isTrue();
        assertThat(log.offer(1, batch(9), out)).isFalse(); // the first batch for a slot stays
        assertThat(log.offer(4, batch(4), out)).isFalse(); // beyond the window [0, 4)
        assertThat(delivered).isEmpty();
        assertThat(log.holds(2)).isTrue();
        assertThat(log.lowestBuffered()).isEqualTo(1);
        assertThat(log.highestBuffered()).isEqualTo(2);

        assertThat(log.offer(0, batch(0), out)).isTrue();
        assertThat(delivered).containsExactly(new Delivered(0, batch(0)), new Delivered(1, batch(1)), new Delivered(2, batch(2)));
        assertThat(log.offer(1, batch(1), out)).isFalse(); // delivered already
        assertThat(log.nextSlot()).isEqualTo(3);
        Digest chain = Digest.ZERO;
        for (int i = 0; i < 3; i++) chain = Digest.chain(chain, batch(i).digest());
        assertThat(log.logHash()).isEqualTo(chain);

        // The last three delivered are retained.
        log.offer(3, batch(3), out);
        assertThat(log.deliveredBatch(0)).isNull();
        assertThat(log.deliveredBatch(1)).isEqualTo(batch(1));
        assertThat(log.deliveredBatch(3)).isEqualTo(batch(3));
        assertThat(log.deliveredBatch(4)).isNull();
        assertThat(log.retainedFirstSlot()).isEqualTo(1);
    }

    @Test
    void aJumpSkipsToTheCheckpointAndDeliversWhatWasAlreadyBufferedAboveIt() {
        List<Long> delivered = new ArrayList<>();
        OrderedLog log = new OrderedLog(16, 4, (slot, b, out) -> delivered.add(slot));
        Outbox out = new Outbox();
        log.offer(5, batch(5), out);
        log.offer(8, batch(8), out);
        log.offer(9, batch(9), out);
        Digest certified = Digest.sha256(new byte[] {7});
        log.jumpTo(7, certified, out);
        assertThat(delivered).containsExactly(8L, 9L);
        assertThat(log.holds(5)).isFalse();
        assertThat(log.logHash()).isEqualTo(Digest.chain(Digest.chain(certified, batch(8).digest()), batch(9).digest()));
        assertThat(log.deliveredBatch(7)).isNull(); // retention starts afresh after a jump
        assertThat(log.retainedFirstSlot()).isEqualTo(8);
        // Jumping backwards does nothing.
        log.jumpTo(3, Digest.ZERO, out);
        assertThat(log.nextSlot()).isEqualTo(10);

        // Recovery replays without telling the listener.
        OrderedLog replayed = new OrderedLog(16, 4, (slot, b, o) -> delivered.add(-1L));
        replayed.recoverDelivered(0, batch(0));
        replayed.recoverDelivered(1, batch(1));
        assertThat(replayed.nextSlot()).isEqualTo(2);
        assertThat(delivered).doesNotContain(-1L);
    }
}
