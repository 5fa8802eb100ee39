package io.bulwark.client.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.cluster.ClusterSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Against up to g Byzantine execution nodes replying whatever they like (any slot, any result,
 * repeatedly, before and after the correct nodes), the client completes with the correct
 * result exactly when g+1 distinct nodes' first replies are the correct one, and never with
 * anything else.
 */
class ReplyCertificatePropertyTest {

    @Property(tries = 500)
    void completesExactlyWhenGPlusOneFirstVotesAreCorrectAndNeverWithAWrongResult(
            @ForAll @IntRange(min = 0, max = 4) int g,
            @ForAll @IntRange(min = 0, max = 4) int faultyWanted,
            @ForAll @IntRange(min = 1, max = 60) int events,
            @ForAll long seed) {
        ClusterSpec spec = new ClusterSpec(1, 1, g, -1);
        CoreHarness h = new CoreHarness(spec, ClientCoreTest.CONFIG, 1);
        int a = spec.agreementNodes();
        int n = spec.executionNodes();
        int faulty = Math.min(faultyWanted, g);
        Random random = new Random(seed);
        h.submit("op");
        long ts = h.core.outstandingTimestamp().orElseThrow();

        Map<Integer, String> firstVote = new HashMap<>();
        List<String> wrongValues = List.of("10:evil", "11:good", "10:other", "12:evil");
        boolean expectCompleted = false;
        for (int i = 0; i < events && !expectCompleted; i++) {
            int node = a + random.nextInt(n);
            boolean isFaulty = node - a < faulty;
            String vote;
            if (isFaulty && random.nextInt(3) > 0) {
                vote = wrongValues.get(random.nextInt(wrongValues.size()));
            } else {
                vote = "10:good"; // correct nodes (and sometimes faulty ones) report the truth
            }
            if (random.nextInt(8) == 0) { // noise: agreement-node replies, other timestamps
                h.reply(random.nextInt(a), ts, 10, "evil");
                h.reply(node, ts + 1, 10, "evil");
            }
            String[] parts = vote.split(":");
            h.reply(node, ts, Long.parseLong(parts[0]), parts[1]);
            firstVote.putIfAbsent(node, vote);
            long correct = firstVote.values().stream().filter("10:good"::equals).count();
            expectCompleted = correct >= g + 1;
            List<CallOutcome> outcomes = h.takeOutcomes();
            if (expectCompleted) {
                assertThat(outcomes).singleElement().isInstanceOfSatisfying(CallOutcome.Completed.class, c -> {
                    assertThat(c.slot()).isEqualTo(10);
                    assertThat(c.result()).isEqualTo(Bytes.ofUtf8("good"));
                });
            } else {
                assertThat(outcomes).as("no certificate yet: first votes %s", new ArrayList<>(firstVote.values())).isEmpty();
            }
        }
    }
}
