package io.bulwark.runtime.net;

import io.bulwark.core.crypto.Principal;
import io.bulwark.runtime.config.TlsCertificates;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.function.Predicate;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Who is at the other end of a TLS connection: the principal named by the common name of the
 * certificate it proved it holds (which the handshake already checked chains to the cluster
 * CA). Recorded on the channel once the handshake succeeds.
 */
public final class PeerIdentity {
    static final AttributeKey<Principal> PEER = AttributeKey.valueOf("bulwark.peer");

    private PeerIdentity() {}

    /** The authenticated peer of {@code ch}, or null before (or without) a successful check. */
    public static Principal of(Channel ch) {
        return ch.attr(PEER).get();
    }

    /**
     * Reads the peer certificate from the TLS session of {@code ch}, maps its CN to a principal and
     * checks it with {@code allowed}. Returns the principal, or null if there is none or it is not allowed.
     */
    static Principal authenticate(Channel ch, Predicate<Principal> allowed) {
        SslHandler ssl = ch.pipeline().get(SslHandler.class);
        if (ssl == null) return null;
        try {
            Certificate[] chain = ssl.engine().getSession().getPeerCertificates();
            if (chain.length == 0 || !(chain[0] instanceof X509Certificate cert)) return null;
            Principal p = TlsCertificates.principalOf(TlsCertificates.commonName(cert));
            if (p == null || !allowed.test(p)) return null;
            ch.attr(PEER).set(p);
            return p;
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }

    /** The CN of the peer's certificate, for log lines about refused peers. */
    static String describe(Channel ch) {
        SslHandler ssl = ch.pipeline().get(SslHandler.class);
        try {
            if (ssl != null && ssl.engine().getSession().getPeerCertificates()[0] instanceof X509Certificate cert) {
                return "CN=" + TlsCertificates.commonName(cert);
            }
        } catch (SSLPeerUnverifiedException | ArrayIndexOutOfBoundsException e) {
            // fall through
        }
        return "an unidentified peer";
    }
}
