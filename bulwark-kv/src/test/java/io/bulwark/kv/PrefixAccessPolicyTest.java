package io.bulwark.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.bytes.Bytes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link PrefixAccessPolicy}: who may read and write what, the text format, its canonical form. */
class PrefixAccessPolicyTest {
    static final String EXAMPLE = """
            # Bulwark access policy
            default read public/

            client 7 read public/ shared/ team7/
            client 7 write shared/ team7/
            client 9 read *
            \tclient 9   write  *
            client 12 write inbox/
            """;

    private static Bytes b(String s) {
        return Bytes.ofUtf8(s);
    }

    @Test
    void grantsByPrefixPerClientAndTheDefaultToUnlistedClients() {
        PrefixAccessPolicy p = PrefixAccessPolicy.parse(EXAMPLE);
        // client 7
        assertThat(p.canRead(7, b("public/x"))).isTrue();
        assertThat(p.canRead(7, b("shared/"))).isTrue(); // a prefix covers the key equal to it
        assertThat(p.canRead(7, b("shared"))).isFalse();
        assertThat(p.canRead(7, b("team7/a/b"))).isTrue();
        assertThat(p.canRead(7, b("team8/a"))).isFalse();
        assertThat(p.canWrite(7, b("public/x"))).isFalse();
        assertThat(p.canWrite(7, b("shared/x"))).isTrue();
        // client 9: everything
        for (String k : List.of("", "a", "secret/1", "\u00ff")) {
            assertThat(p.canRead(9, b(k))).isTrue();
            assertThat(p.canWrite(9, b(k))).isTrue();
        }
        // client 12 is listed: write-only drop box, and NOT the default's public read
        assertThat(p.canWrite(12, b("inbox/12"))).isTrue();
        assertThat(p.canRead(12, b("inbox/12"))).isFalse();
        assertThat(p.canRead(12, b("public/x"))).isFalse();
        // unlisted: the default
        assertThat(p.canRead(1000, b("public/x"))).isTrue();
        assertThat(p.canRead(1000, b("shared/x"))).isFalse();
        assertThat(p.canWrite(1000, b("public/x"))).isFalse();
        assertThat(p.ruleOf(1000)).isEqualTo(p.defaultRule());
    }

    @Test
    void withoutADefaultLineUnlistedClientsMayDoNothing() {
        PrefixAccessPolicy p = PrefixAccessPolicy.parse("client 1 read *\n");
        assertThat(p.canRead(1, b("x"))).isTrue();
        assertThat(p.canWrite(1, b("x"))).isFalse();
        assertThat(p.canRead(2, b("x"))).isFalse();
        assertThat(p.canRead(2, Bytes.EMPTY)).isFalse();
        assertThat(PrefixAccessPolicy.parse("").canRead(0, Bytes.EMPTY)).isFalse();
    }

    @Test
    void prefixesAreBytesWithPercentEscapes() {
        PrefixAccessPolicy p = PrefixAccessPolicy.parse("default read a%20b %00 %ff%FE x%25y %2A\n");
        assertThat(p.canRead(1, b("a b/c"))).isTrue();
        assertThat(p.canRead(1, b("a%20b"))).isFalse();
        assertThat(p.canRead(1, Bytes.fromHex("0001"))).isTrue();
        assertThat(p.canRead(1, Bytes.fromHex("fffe00"))).isTrue();
        assertThat(p.canRead(1, Bytes.fromHex("ff"))).isFalse();
        assertThat(p.canRead(1, b("x%y"))).isTrue();
        assertThat(p.canRead(1, b("*literal"))).isTrue();
        assertThat(p.toText()).isEqualTo("default read %00 %2A a%20b x%25y %FF%FE\ndefault write\n");
    }

    @Test
    void theCanonicalTextIsTheSameForEquivalentPoliciesAndParsesBackToTheSamePolicy() {
        PrefixAccessPolicy p = PrefixAccessPolicy.parse(EXAMPLE);
        assertThat(p.toText()).isEqualTo("""
                default read public/
                default write
                client 7 read public/ shared/ team7/
                client 7 write shared/ team7/
                client 9 read *
                client 9 write *
                client 12 read
                client 12 write inbox/
                """);
        assertThat(p.toString()).isEqualTo(p.toText());
        assertThat(PrefixAccessPolicy.parse(p.toText())).isEqualTo(p);
        assertThat(PrefixAccessPolicy.parse(p.toText()).toText()).isEqualTo(p.toText());
        // The same grants written differently: reordered, split over lines, redundant prefixes, leading zeros.
        PrefixAccessPolicy same = PrefixAccessPolicy.parse("""
                client 0012 write inbox/ inbox/a
                client 9 write * anything
                client 9 read x
                client 9 read *
                client 7 write team7/ shared/
                client 7 read team7/ team7/x public/
                client 7 read shared/ shared/ public/a
                client 12 read
                default read public/ public/x
                """);
        assertThat(same).isEqualTo(p).hasSameHashCodeAs(p);
        assertThat(same.digest()).isEqualTo(p.digest());
        // Any real difference shows.
        PrefixAccessPolicy other = PrefixAccessPolicy.parse(EXAMPLE.replace("client 12 write inbox/", "client 12 write inbox"));
        assertThat(other).isNotEqualTo(p);
        assertThat(other.digest()).isNotEqualTo(p.digest());
        // A listed client with no grants differs from an unlisted one (it does not get the default).
        assertThat(PrefixAccessPolicy.parse("default read *\nclient 3 read\n"))
                .isNotEqualTo(PrefixAccessPolicy.parse("default read *\n"));
    }

    @Test
    void programmaticConstructionNormalizesLikeTheParser() {
        var rule = new PrefixAccessPolicy.Rule(List.of(b("a/"), b("a/b"), b("c")), List.of());
        assertThat(rule.read()).containsExactly(b("a/"), b("c"));
        PrefixAccessPolicy p = PrefixAccessPolicy.of(PrefixAccessPolicy.Rule.NONE, Map.of(5L, rule));
        assertThat(p).isEqualTo(PrefixAccessPolicy.parse("client 5 read c a/"));
        assertThat(p.clients()).containsOnlyKeys(5L);
        assertThatThrownBy(() -> PrefixAccessPolicy.of(PrefixAccessPolicy.Rule.NONE, Map.of(-1L, rule)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void writersAreBoundedOnlyWhenTheDefaultCannotWrite() {
        assertThat(PrefixAccessPolicy.parse(EXAMPLE).writers()).isEqualTo(OptionalLong.of(3)); // 7, 9, 12
        assertThat(PrefixAccessPolicy.parse("client 1 read *\nclient 2 write x\n").writers()).isEqualTo(OptionalLong.of(1));
        assertThat(PrefixAccessPolicy.parse(EXAMPLE + "default write inbox/\n").writers()).isEmpty();
        assertThat(AccessPolicy.ALLOW_ALL.writers()).isEmpty();
    }

    @Test
    void malformedLinesAreRejectedNamingTheLine() {
        record Case(String text, int line, String says) {}
        for (Case c : List.of(
                new Case("default read x\nclinet 7 read x\n", 2, "expected 'client <id>' or 'default'"),
                new Case("client\n", 1, "missing client id"),
                new Case("client 7\n", 1, "missing permission"),
                new Case("default\n", 1, "missing permission"),
                new Case("\n\nclient 7 rwite x\n", 3, "unknown permission 'rwite'"),
                new Case("client -7 read x\n", 1, "'-7' is not a non-negative decimal number"),
                new Case("client +7 read x\n", 1, "'+7'"),
                new Case("client 7x read x\n", 1, "'7x'"),
                new Case("client 99999999999999999999 read x\n", 1, "'99999999999999999999'"),
                new Case("client 9223372036854775808 read x\n", 1, "too large"),
                new Case("default read a%2\n", 1, "bad escape"),
                new Case("default read a%zz\n", 1, "bad escape"),
                new Case("default read a%\u0661\u0662\n", 1, "bad escape"), // not ASCII hex digits
                new Case("default read a*\n", 1, "character '*'"),
                new Case("default read a#b\n", 1, "character '#'"),
                new Case("default read caf\u00e9\n", 1, "must be written as %XX"),
                new Case("default read x\ndefault read " + "a".repeat(KvLimits.KEY_BYTES_MAX + 1) + "\n", 2, "longer than any key"))) {
            assertThatThrownBy(() -> PrefixAccessPolicy.parse(c.text(), "policy.txt"))
                    .as(c.text())
                    .isInstanceOfSatisfying(PolicyFormatException.class, e -> {
                        assertThat(e.line()).isEqualTo(c.line());
                        assertThat(e.source()).isEqualTo("policy.txt");
                        assertThat(e.getMessage()).startsWith("policy.txt, line " + c.line() + ": ").contains(c.says());
                    })
                    .isInstanceOf(IllegalArgumentException.class);
        }
        // Comments, blank lines, tabs, CRLF: fine.
        assertThat(PrefixAccessPolicy.parse("# c\r\n  # indented comment\r\n\tdefault\tread\tx\r\n\r\n").canRead(1, b("x1"))).isTrue();
        // A key of the maximum length is a valid prefix.
        PrefixAccessPolicy.parse("default read " + "a".repeat(KvLimits.KEY_BYTES_MAX));
    }

    @Test
    void loadsAFileAndNamesItInErrors(@TempDir Path dir) throws Exception {
        Path good = dir.resolve("access.policy");
        Files.writeString(good, EXAMPLE, StandardCharsets.UTF_8);
        assertThat(PrefixAccessPolicy.load(good)).isEqualTo(PrefixAccessPolicy.parse(EXAMPLE));
        Path bad = dir.resolve("bad.policy");
        Files.writeString(bad, "default read x\ndefault wirte y\n", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> PrefixAccessPolicy.load(bad))
                .isInstanceOf(PolicyFormatException.class)
                .hasMessageStartingWith(bad + ", line 2: unknown permission 'wirte'");
        Path binary = dir.resolve("binary.policy");
        Files.write(binary, new byte[] {(byte) 0xff, (byte) 0xfe, 0});
        assertThatThrownBy(() -> PrefixAccessPolicy.load(binary))
                .isInstanceOf(PolicyFormatException.class).hasMessageContaining("not UTF-8");
    }

    @Test
    void lookupsAgreeWithANaiveScanOfThePrefixes() {
        List<String> alphabet = List.of("", "a", "b", "ab", "aa", "ba", "abc", "b\u0000", "\u0000");
        java.util.Random random = new java.util.Random(3);
        for (int round = 0; round < 300; round++) {
            List<Bytes> prefixes = new java.util.ArrayList<>();
            for (String s : alphabet) if (random.nextInt(4) == 0) prefixes.add(b(s));
            PrefixAccessPolicy p = PrefixAccessPolicy.of(new PrefixAccessPolicy.Rule(prefixes, prefixes), Map.of());
            for (String k1 : alphabet) {
                for (String k2 : Set.of("", "a", "b", "c")) {
                    Bytes key = b(k1 + k2);
                    boolean naive = prefixes.stream().anyMatch(x -> key.toUtf8().startsWith(x.toUtf8()));
                    assertThat(p.canRead(42, key)).as("%s under %s", key, prefixes).isEqualTo(naive);
                }
            }
        }
    }
}
