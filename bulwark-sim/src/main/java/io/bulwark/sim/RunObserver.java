package io.bulwark.sim;

import io.bulwark.core.message.Batch;
import io.bulwark.core.message.Request;

/** What the simulator reports to the checkers while a run goes on. */
interface RunObserver {
    void submitted(Request r, long now);

    void completed(Request r, long slot, long now);

    /** A correct leader proposed {@code slot}; {@code everyoneInView} if all correct nodes were in normal operation under {@code pn}. */
    void proposed(int leader, long pn, long slot, long now, boolean everyoneInView);

    /** A correct node delivered {@code slot}; {@code depth} is the message delays since its PROPOSE (or -1 if unknown). */
    void delivered(int node, long slot, Batch batch, int depth, long now);
}
