package io.bulwark.firewall.threshold;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.codec.WireCodec;
import io.bulwark.core.crypto.Digest;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the firewall's threshold signatures cost, per operation, for g = 1 (k = 2 of l = 3):
 * an execution node signs one share per slot; a row-h filter combines k shares per slot
 * (optimistically, checking shares only when that fails); every filter row and every client
 * verifies the combined signature. {@code combineChecked} is the pessimistic path for comparison.
 *
 * <p>Run (from the repository root; a couple of minutes; see docs/firewall.md, Costs):
 * <pre>
 *   mvn -o -q test-compile dependency:build-classpath -pl bulwark-firewall -am \
 *       -Dmdep.includeScope=test -Dmdep.outputFile=target/jmh.classpath
 *   java -cp bulwark-firewall/target/test-classes:bulwark-firewall/target/classes:$(cat bulwark-firewall/target/jmh.classpath) \
 *       org.openjdk.jmh.Main ThresholdRsaBenchmark -wi 2 -i 3 -f 1
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class ThresholdRsaBenchmark {
    @Param({"1024", "2048"})
    public int bits;

    private ThresholdPublicKey key;
    private ThresholdKeyShare keyShare;
    private byte[] statement;
    private SignatureShare share;
    private List<SignatureShare> kShares;
    private ThresholdSignature signature;

    @Setup
    public void deal() {
        ThresholdKeyDealer.DealtKeys keys = ThresholdKeyDealer.deal(2, 3, bits, new Random(bits));
        key = keys.publicKey();
        keyShare = keys.shares().get(0);
        // What execution nodes sign per slot: (slot, Merkle root of the slot's replies).
        statement = WireCodec.slotRepliesSignedBytes(12_345, Digest.sha256(Bytes.ofUtf8("replies").toByteArray()));
        kShares = List.of(ThresholdRsa.sign(keys.shares().get(0), statement), ThresholdRsa.sign(keys.shares().get(2), statement));
        share = kShares.get(0);
        signature = ThresholdRsa.combineOptimistically(key, statement, kShares).orElseThrow();
    }

    @Benchmark
    public SignatureShare signShare() {
        return ThresholdRsa.sign(keyShare, statement);
    }

    @Benchmark
    public boolean verifyShare() {
        return ThresholdRsa.verifyShare(key, statement, share);
    }

    @Benchmark
    public Optional<ThresholdSignature> combineOptimistic() {
        return ThresholdRsa.combineOptimistically(key, statement, kShares);
    }

    @Benchmark
    public CombineResult combineChecked() {
        return ThresholdRsa.combine(key, statement, kShares);
    }

    @Benchmark
    public boolean verify() {
        return ThresholdRsa.verify(key, statement, signature);
    }
}
