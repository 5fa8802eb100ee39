package io.bulwark.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class PrincipalTest {
    @Test
    void nodesAndClientsWithTheSameIdAreDifferentPrincipals() {
        assertThat(Principal.node(3)).isEqualTo(new Principal(Principal.Kind.NODE, 3)).isNotEqualTo(Principal.client(3));
        assertThat(Principal.node(3)).hasToString("node-3");
        assertThat(Principal.client(3)).hasToString("client-3");
    }

    @Test
    void rejectsNegativeIdsAndMissingKind() {
        assertThatIllegalArgumentException().isThrownBy(() -> Principal.node(-1));
        assertThatIllegalArgumentException().isThrownBy(() -> Principal.client(-1));
        assertThatIllegalArgumentException().isThrownBy(() -> new Principal(null, 1));
    }
}
