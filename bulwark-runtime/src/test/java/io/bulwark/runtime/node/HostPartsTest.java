package io.bulwark.runtime.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.codec.WireCodec;
import io.bulwark.core.crypto.Ed25519Keys;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.crypto.PublicKeyDirectory;
import io.bulwark.core.crypto.Signer;
import io.bulwark.core.message.Batch;
import io.bulwark.core.message.DecisionSignature;
import io.bulwark.core.message.Ordered;
import io.bulwark.core.message.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The host's timer table and signature cache. */
class HostPartsTest {
    @Test
    void reArmingATimerReplacesItsDeadlineAndCancelForgetsIt() {
        TimerTable timers = new TimerTable();
        List<Object> fired = new ArrayList<>();
        timers.set("a", 100);
        timers.set("b", 50);
        timers.set("a", 300); // replaces 100
        timers.set("c", 200);
        timers.cancel("c");
        assertThat(timers.nanosUntilNext(0, 1_000)).isEqualTo(50);
        assertThat(timers.fireDue(150, fired::add)).isEqualTo(1);
        assertThat(fired).containsExactly("b");
        assertThat(timers.nanosUntilNext(150, 1_000)).isEqualTo(150); // the stale a@100 and cancelled c are skipped
        assertThat(timers.fireDue(299, fired::add)).isZero();
        assertThat(timers.fireDue(300, fired::add)).isEqualTo(1);
        assertThat(fired).containsExactly("b", "a");
        assertThat(timers.size()).isZero();
        assertThat(timers.nanosUntilNext(300, 777)).isEqualTo(777);
    }

    @Test
    void manyReArmsDoNotGrowTheQueueWithoutBound() {
        TimerTable timers = new TimerTable();
        for (int i = 0; i < 100_000; i++) timers.set("heartbeat", i);
        List<Object> fired = new ArrayList<>();
        assertThat(timers.fireDue(Long.MAX_VALUE / 2, fired::add)).isEqualTo(1);
    }

    @Test
    void theCacheRemembersOnlyWhatVerified() {
        Random random = new Random(1);
        Bytes sk = Ed25519Keys.generateSecretKey(random);
        Principal client = Principal.client(3);
        Signer signer = Ed25519Keys.signer(client, sk);
        PublicKeyDirectory keys = new PublicKeyDirectory(Map.of(client, Ed25519Keys.publicKeyOf(sk)));
        VerifiedSignatureCache cache = new VerifiedSignatureCache(keys, 8);

        Bytes op = Bytes.ofUtf8("x");
        byte[] signed = WireCodec.requestSignedBytes(3, 1, op);
        Request good = new Request(3, 1, op, signer.sign(signed));
        Request forged = new Request(3, 1, op, Bytes.wrapOwned(new byte[64]));

        cache.preVerify(good);
        cache.preVerify(forged);
        assertThat(cache.misses()).isEqualTo(2);
        assertThat(cache.failures()).isEqualTo(1);
        assertThat(cache.size()).isEqualTo(1);
        assertThat(cache.verify(client, signed, good.signature())).isTrue();
        assertThat(cache.hits()).isEqualTo(1);
        assertThat(cache.verify(client, signed, forged.signature())).isFalse(); // a failure is never cached
        // the same signature over other bytes, or claimed by someone else, is not a hit
        assertThat(cache.verify(client, WireCodec.requestSignedBytes(3, 2, op), good.signature())).isFalse();
        assertThat(cache.verify(Principal.client(4), signed, good.signature())).isFalse();
        assertThat(cache.hits()).isEqualTo(1);

        for (int ts = 10; ts < 40; ts++) {
            byte[] b = WireCodec.requestSignedBytes(3, ts, op);
            cache.preVerify(new Request(3, ts, op, signer.sign(b)));
        }
        assertThat(cache.size()).isLessThanOrEqualTo(8); // two generations of capacity/2
    }

    @Test
    void orderedSlotsHaveTheirDecisionSignaturesPreVerified() {
        Random random = new Random(2);
        Bytes sk0 = Ed25519Keys.generateSecretKey(random);
        Bytes sk1 = Ed25519Keys.generateSecretKey(random);
        PublicKeyDirectory keys = new PublicKeyDirectory(Map.of(Principal.node(0), Ed25519Keys.publicKeyOf(sk0), Principal.node(1),
                Ed25519Keys.publicKeyOf(sk1)));
        VerifiedSignatureCache cache = new VerifiedSignatureCache(keys, 16);
        Batch batch = new Batch(0, List.of());
        byte[] signed = WireCodec.decisionSignedBytes(7, batch.digest());
        DecisionSignature good = new DecisionSignature(0, Ed25519Keys.signer(Principal.node(0), sk0).sign(signed));
        DecisionSignature wrongSigner = new DecisionSignature(1, good.signature());
        cache.preVerify(new Ordered(7, batch, List.of(good, wrongSigner)));
        assertThat(cache.misses()).isEqualTo(2);
        assertThat(cache.failures()).isEqualTo(1);
        assertThat(cache.verify(Principal.node(0), signed, good.signature())).isTrue();
        assertThat(cache.hits()).isEqualTo(1);
        // for another slot the same signature is no hit, and fails
        assertThat(cache.verify(Principal.node(0), WireCodec.decisionSignedBytes(8, batch.digest()), good.signature())).isFalse();
    }
}
