package io.bulwark.runtime.config;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.crypto.Ed25519Keys;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.crypto.Signer;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/**
 * Everything one principal holds privately, loaded from {@code secrets/<principal>.key}, with
 * its public TLS certificate and the cluster CA it chains to.
 *
 * @param ed25519Secret signs requests (clients) and protocol evidence (nodes)
 * @param x25519Secret  derives the pairwise MAC keys of request authenticators
 * @param tlsKey        the private key of {@code tlsCertificate}
 */
public record Identity(Principal principal, Bytes ed25519Secret, Bytes x25519Secret, PrivateKey tlsKey,
        X509Certificate tlsCertificate, X509Certificate caCertificate) {

    public Signer signer() {
        return Ed25519Keys.signer(principal, ed25519Secret);
    }

    @Override
    public String toString() {
        return "Identity[" + principal + "]"; // never print secrets
    }
}
