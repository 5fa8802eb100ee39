package io.bulwark.core.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.message.Message;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fuzzer's seed corpus is the current encoding of every sample message (else: run {@link SampleMessages#main}). */
class FuzzSeedCorpusTest {
    private static final String DIR = "WireCodecFuzzTestInputs/decodeIsTotalAndCanonical/";

    @Test
    void everySampleMessageIsInTheSeedCorpusWithItsCurrentEncoding() throws IOException {
        for (Map.Entry<String, Message> e : SampleMessages.all().entrySet()) {
            String name = DIR + "valid-" + e.getKey();
            try (InputStream in = FuzzSeedCorpusTest.class.getResourceAsStream(name)) {
                assertThat(in).as("seed %s (regenerate with SampleMessages.main)", name).isNotNull();
                assertThat(in.readAllBytes()).as("seed %s is stale: regenerate with SampleMessages.main", name)
                        .isEqualTo(WireCodec.encode(e.getValue()));
            }
        }
    }
}
