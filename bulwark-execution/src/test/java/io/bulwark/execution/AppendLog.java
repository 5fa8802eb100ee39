package io.bulwark.execution;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.codec.MalformedMessageException;
import io.bulwark.core.codec.WireReader;
import io.bulwark.core.codec.WireWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * A trivial deterministic application for tests: it appends "client:operation@time" to a log
 * and answers "n:operation", n being the log's new length. The operation "boom" throws, as a
 * broken application would; "big" answers the largest result allowed (zeros).
 */
final class AppendLog implements StateMachine {
    final List<String> entries = new ArrayList<>();
    int restores;

    @Override
    public Bytes execute(long clientId, Bytes operation, long timeMillis) {
        String op = operation.toUtf8();
        if (op.equals("boom")) throw new IllegalStateException("the application broke");
        entries.add(clientId + ":" + op + "@" + timeMillis);
        if (op.equals("big")) return Bytes.wrapOwned(new byte[io.bulwark.core.message.WireLimits.RESULT_BYTES_MAX]);
        return Bytes.ofUtf8(entries.size() + ":" + op);
    }

    @Override
    public Bytes snapshot() {
        WireWriter w = new WireWriter();
        w.i32(entries.size());
        for (String e : entries) w.bytes(Bytes.ofUtf8(e));
        return Bytes.wrapOwned(w.toByteArray());
    }

    @Override
    public void restore(Bytes snapshot) {
        try {
            WireReader r = new WireReader(snapshot.toByteArray());
            int n = r.count(1 << 20, 4, "entries");
            List<String> restored = new ArrayList<>(n);
            for (int i = 0; i < n; i++) restored.add(r.bytes(1 << 20, "entry").toUtf8());
            r.expectEnd();
            entries.clear();
            entries.addAll(restored);
            restores++;
        } catch (MalformedMessageException e) {
            throw new IllegalArgumentException("not an AppendLog snapshot: " + e.getMessage());
        }
    }
}
