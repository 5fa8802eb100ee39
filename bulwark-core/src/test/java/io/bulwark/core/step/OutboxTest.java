package io.bulwark.core.step;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.bulwark.core.crypto.Principal;
import io.bulwark.core.message.Batch;
import io.bulwark.core.message.DecisionQuery;
import org.junit.jupiter.api.Test;

class OutboxTest {

    @Test
    void collectsEachKindOfEffectInOrder() {
        Outbox out = new Outbox();
        assertThat(out.isEmpty()).isTrue();

        out.sendToNode(2, new DecisionQuery(1, 1));
        out.send(Principal.client(5), new DecisionQuery(2, 1));
        out.persist("vote");
        out.setTimer("view", 1_000);
        out.cancelTimer("view");
        out.deliver(7, Batch.EMPTY);

        assertThat(out.sends()).containsExactly(new Outbox.Send(Principal.node(2), new DecisionQuery(1, 1)),
                new Outbox.Send(Principal.client(5), new DecisionQuery(2, 1)));
        assertThat(out.persists()).containsExactly("vote");
        assertThat(out.timers()).containsExactly(new Outbox.TimerCommand("view", 1_000, false),
                new Outbox.TimerCommand("view", 0, true));
        assertThat(out.deliveries()).containsExactly(new Outbox.Delivery(7, Batch.EMPTY));
        assertThat(out.isEmpty()).isFalse();
    }

    @Test
    void clearEmptiesEverythingForReuse() {
        Outbox out = new Outbox();
        out.sendToNode(0, new DecisionQuery(1, 1));
        out.persist("x");
        out.setTimer("t", 0);
        out.deliver(0, Batch.EMPTY);

        out.clear();

        assertThat(out.isEmpty()).isTrue();
        assertThat(out.sends()).isEmpty();
        assertThat(out.persists()).isEmpty();
        assertThat(out.timers()).isEmpty();
        assertThat(out.deliveries()).isEmpty();
    }

    @Test
    void eachKindAloneMakesItNonEmpty() {
        Outbox a = new Outbox();
        a.persist("x");
        Outbox b = new Outbox();
        b.cancelTimer("t");
        Outbox c = new Outbox();
        c.deliver(1, Batch.EMPTY);
        assertThat(a.isEmpty()).isFalse();
        assertThat(b.isEmpty()).isFalse();
        assertThat(c.isEmpty()).isFalse();
    }

    @Test
    void rejectsNegativeTimerDelay() {
        assertThatIllegalArgumentException().isThrownBy(() -> new Outbox().setTimer("t", -1));
    }
}
