package io.bulwark.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.codec.MalformedMessageException;
import io.bulwark.core.codec.MalformedMessageException.Reason;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Exact encodings and the edges of strict decoding. */
class KvCodecTest {

    private static Bytes b(String utf8) {
        return Bytes.ofUtf8(utf8);
    }

    private static Reason reasonOfOperation(String hex) {
        try {
            KvOperation.decode(Bytes.fromHex(hex));
        } catch (MalformedMessageException e) {
            return e.reason();
        }
        throw new AssertionError("decoded " + hex);
    }

    private static Reason reasonOfResult(String hex) {
        try {
            KvResult.decode(Bytes.fromHex(hex));
        } catch (MalformedMessageException e) {
            return e.reason();
        }
        throw new AssertionError("decoded " + hex);
    }

    @Test
    void operationEncodingsAreExactlyAsDocumented() {
        assertThat(new KvOperation.Put(b("k"), b("vv")).encode().toHex())
                .isEqualTo("01" + "01" + "00000001" + "6b" + "00000002" + "7676");
        assertThat(new KvOperation.Get(b("k")).encode().toHex()).isEqualTo("0102000000016b");
        assertThat(new KvOperation.Delete(Bytes.EMPTY).encode().toHex()).isEqualTo("010300000000");
        assertThat(new KvOperation.CompareAndSet(b("k"), null, b("v")).encode().toHex())
                .isEqualTo("0104000000016b" + "00" + "01" + "00000001" + "76");
        assertThat(new KvOperation.Scan(b("a"), null, 10).encode().toHex())
                .isEqualTo("01050000000161" + "00" + "0000000a");
        assertThat(new KvOperation.Scan(b("a"), b("b"), 1).encode().toHex())
                .isEqualTo("01050000000161" + "010000000162" + "00000001");
    }

    @Test
    void resultEncodingsAreExactlyAsDocumented() {
        assertThat(KvResult.OK.encode().toHex()).isEqualTo("0101");
        assertThat(KvResult.Value.absent().encode().toHex()).isEqualTo("010200");
        assertThat(KvResult.Value.of(b("v")).encode().toHex()).isEqualTo("0102010000000176");
        assertThat(new KvResult.Deleted(true).encode().toHex()).isEqualTo("010301");
        assertThat(KvResult.CasResult.of(false, null).encode().toHex()).isEqualTo("01040000");
        assertThat(new KvResult.ScanResult(List.of(Map.entry(b("a"), b("1"))), true).encode().toHex())
                .isEqualTo("0105" + "00000001" + "0000000161" + "0000000131" + "01");
        assertThat(new KvResult.Error(KvErrorCode.STORE_FULL, "x").encode().toHex())
                .isEqualTo("0106" + "0004" + "00000001" + "78");
    }

    @Test
    void keysAndValuesAtTheLimitsAreAcceptedAndOneMoreIsNot() throws Exception {
        Bytes maxKey = Bytes.wrapOwned(new byte[KvLimits.KEY_BYTES_MAX]);
        Bytes maxValue = Bytes.wrapOwned(new byte[KvLimits.VALUE_BYTES_MAX]);
        KvOperation put = new KvOperation.Put(maxKey, maxValue);
        assertThat(KvOperation.decode(put.encode())).isEqualTo(put);

        Bytes longKey = Bytes.wrapOwned(new byte[KvLimits.KEY_BYTES_MAX + 1]);
        Bytes longValue = Bytes.wrapOwned(new byte[KvLimits.VALUE_BYTES_MAX + 1]);
        assertThatThrownBy(() -> new KvOperation.Put(longKey, Bytes.EMPTY)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new KvOperation.Put(maxKey, longValue)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new KvOperation.Get(longKey)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new KvOperation.CompareAndSet(maxKey, longValue, null)).isInstanceOf(IllegalArgumentException.class);

        // a bound may be one byte longer than a key (the successor of the longest key)
        Bytes longBound = longKey;
        assertThat(new KvOperation.Scan(longBound, null, 1).fromInclusive()).isEqualTo(longBound);

        // hand-made encodings over the limits
        String header = "0102"; // Get
        assertThat(reasonOfOperation(header + String.format("%08x", KvLimits.KEY_BYTES_MAX + 1)))
                .isEqualTo(Reason.LENGTH_OUT_OF_BOUNDS);
        assertThat(reasonOfOperation("0101000000016b" + String.format("%08x", KvLimits.VALUE_BYTES_MAX + 1)))
                .isEqualTo(Reason.LENGTH_OUT_OF_BOUNDS);
        // a negative length
        assertThat(reasonOfOperation(header + "ffffffff")).isEqualTo(Reason.LENGTH_OUT_OF_BOUNDS);
        // a huge length that is within the limit but not in the input: truncated, nothing allocated
        assertThat(reasonOfOperation(header + "00001000")).isEqualTo(Reason.TRUNCATED);
    }

    @Test
    void everyOperationFitsInOneRequestAndEveryResultInOneReply() throws Exception {
        Bytes maxKey = Bytes.wrapOwned(new byte[KvLimits.KEY_BYTES_MAX]);
        Bytes maxValue = Bytes.wrapOwned(new byte[KvLimits.VALUE_BYTES_MAX]);
        assertThat(new KvOperation.Put(maxKey, maxValue).encode().length())
                .isLessThanOrEqualTo(io.bulwark.core.message.WireLimits.OPERATION_BYTES_MAX);
        // a compare-and-set with two long values does not fit: refused before sending
        assertThatThrownBy(() -> new KvOperation.CompareAndSet(maxKey, maxValue, maxValue))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most");
        Bytes half = Bytes.wrapOwned(new byte[KvLimits.OPERATION_BYTES_MAX / 2 - KvLimits.KEY_BYTES_MAX]);
        KvOperation cas = new KvOperation.CompareAndSet(maxKey, half, half);
        assertThat(KvOperation.decode(cas.encode())).isEqualTo(cas);
        // and an oversized input is refused before parsing
        assertThat(reasonOfOperation("0102" + "00".repeat(KvLimits.OPERATION_BYTES_MAX))).isEqualTo(Reason.LENGTH_OUT_OF_BOUNDS);

        int resultMax = io.bulwark.core.message.WireLimits.RESULT_BYTES_MAX;
        assertThat(KvResult.Value.of(maxValue).encode().length()).isLessThanOrEqualTo(resultMax);
        assertThat(KvResult.CasResult.of(false, maxValue).encode().length()).isLessThanOrEqualTo(resultMax);
        assertThat(new KvResult.ScanResult(List.of(Map.entry(maxKey, maxValue)), true).encode().length())
                .isLessThanOrEqualTo(resultMax);
        assertThat(reasonOfResult("0101" + "00".repeat(resultMax))).isEqualTo(Reason.LENGTH_OUT_OF_BOUNDS);
    }

    @Test
    void scanLimitAndRangeAreChecked() {
        assertThatThrownBy(() -> new KvOperation.Scan(b("a"), null, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new KvOperation.Scan(b("a"), null, KvLimits.SCAN_LIMIT_MAX + 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new KvOperation.Scan(b("b"), b("a"), 1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new KvOperation.Scan(b("a"), b("a"), 1).contains(b("a"))).isFalse();

        assertThat(reasonOfOperation("01050000000161" + "00" + "00000000")).isEqualTo(Reason.INVALID_FIELD);
        assertThat(reasonOfOperation("01050000000161" + "00" + "00002711")).isEqualTo(Reason.INVALID_FIELD);
        assertThat(reasonOfOperation("01050000000162" + "010000000161" + "00000001")).isEqualTo(Reason.INVALID_FIELD);
    }

    @Test
    void versionTagAndBooleansAreStrict() {
        assertThat(reasonOfOperation("")).isEqualTo(Reason.TRUNCATED);
        assertThat(reasonOfOperation("02" + "02000000016b")).isEqualTo(Reason.UNKNOWN_VERSION);
        assertThat(reasonOfOperation("00" + "02000000016b")).isEqualTo(Reason.UNKNOWN_VERSION);
        assertThat(reasonOfOperation("0106")).isEqualTo(Reason.UNKNOWN_TYPE);
        assertThat(reasonOfOperation("0100")).isEqualTo(Reason.UNKNOWN_TYPE);
        // an optional's presence byte must be 0 or 1
        assertThat(reasonOfOperation("0104000000016b" + "02")).isEqualTo(Reason.NON_CANONICAL);
        assertThat(reasonOfResult("010302")).isEqualTo(Reason.NON_CANONICAL);
        assertThat(reasonOfResult("010207")).isEqualTo(Reason.NON_CANONICAL);
        assertThat(reasonOfResult("0107")).isEqualTo(Reason.UNKNOWN_TYPE);
        assertThat(reasonOfResult("0201")).isEqualTo(Reason.UNKNOWN_VERSION);
        assertThat(reasonOfResult("010100")).isEqualTo(Reason.TRAILING_BYTES);
    }

    @Test
    void scanResultsMustBeSortedUniqueAndBounded() {
        String a1 = "0000000161" + "0000000131";
        String b1 = "0000000162" + "0000000131";
        assertThat(reasonOfResult("0105" + "00000002" + b1 + a1 + "00")).isEqualTo(Reason.NON_CANONICAL);
        assertThat(reasonOfResult("0105" + "00000002" + a1 + a1 + "00")).isEqualTo(Reason.NON_CANONICAL);
        assertThat(reasonOfResult("0105" + "00000000" + "01")).isEqualTo(Reason.INVALID_FIELD);
        assertThat(reasonOfResult("0105" + String.format("%08x", KvLimits.SCAN_LIMIT_MAX + 1)))
                .isEqualTo(Reason.LENGTH_OUT_OF_BOUNDS);
        // a count that cannot fit in the remaining bytes is rejected before allocating
        assertThat(reasonOfResult("0105" + "00002710" + a1 + "00")).isEqualTo(Reason.TRUNCATED);

        assertThatThrownBy(() -> new KvResult.ScanResult(
                List.of(Map.entry(b("b"), b("1")), Map.entry(b("a"), b("1"))), false))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new KvResult.ScanResult(List.of(), true)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void errorsCarryKnownCodesAndWellFormedUtf8() throws Exception {
        assertThat(reasonOfResult("0106" + "0063" + "00000000")).isEqualTo(Reason.INVALID_FIELD);
        assertThat(reasonOfResult("0106" + "0001" + "00000001" + "ff")).isEqualTo(Reason.NON_CANONICAL);
        // an encoded surrogate (CESU-8) is not UTF-8
        assertThat(reasonOfResult("0106" + "0001" + "00000003" + "eda080")).isEqualTo(Reason.NON_CANONICAL);
        // an overlong encoding of '/'
        assertThat(reasonOfResult("0106" + "0001" + "00000002" + "c0af")).isEqualTo(Reason.NON_CANONICAL);
        assertThat(reasonOfResult("0106" + "0001" + String.format("%08x", KvLimits.ERROR_MESSAGE_BYTES_MAX + 1)))
                .isEqualTo(Reason.LENGTH_OUT_OF_BOUNDS);

        KvResult.Error e = new KvResult.Error(KvErrorCode.PERMISSION_DENIED, "naïve ✓ 🔒");
        assertThat(KvResult.decode(e.encode())).isEqualTo(e);
        assertThatThrownBy(() -> new KvResult.Error(KvErrorCode.STORE_FULL, "\ud800"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new KvResult.Error(KvErrorCode.STORE_FULL, "x".repeat(KvLimits.ERROR_MESSAGE_BYTES_MAX + 1)))
                .isInstanceOf(IllegalArgumentException.class);
        for (KvErrorCode code : KvErrorCode.values()) {
            assertThat(KvErrorCode.fromWire(code.wire())).contains(code);
        }
    }

    @Test
    void nullableFieldsMeanAbsent() throws Exception {
        KvOperation cas = new KvOperation.CompareAndSet(b("k"), null, null);
        assertThat(KvOperation.decode(cas.encode())).isEqualTo(cas);
        // an empty value is a value, distinct from absent
        KvOperation casEmpty = new KvOperation.CompareAndSet(b("k"), Bytes.EMPTY, Bytes.EMPTY);
        assertThat(casEmpty.encode()).isNotEqualTo(cas.encode());
        assertThat(KvOperation.decode(casEmpty.encode())).isEqualTo(casEmpty);
        assertThat(KvResult.Value.of(Bytes.EMPTY)).isNotEqualTo(KvResult.Value.absent());
    }
}
