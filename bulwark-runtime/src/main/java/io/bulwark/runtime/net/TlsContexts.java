package io.bulwark.runtime.net;

import io.bulwark.runtime.config.Identity;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import javax.net.ssl.SSLException;

/**
 * Mutual TLS 1.3 between principals of one cluster: each side presents its own certificate and
 * trusts only the cluster CA; servers require a client certificate. Host names are not checked:
 * a peer is identified by the common name of its certificate (see {@link PeerIdentity}), and a
 * dialer checks that it is the node it meant to reach.
 */
public final class TlsContexts {
    public static final String PROTOCOL = "TLSv1.3";

    private TlsContexts() {}

    public static SslContext server(Identity id) throws SSLException {
        return SslContextBuilder.forServer(id.tlsKey(), id.tlsCertificate())
                .sslProvider(SslProvider.JDK)
                .trustManager(id.caCertificate())
                .clientAuth(ClientAuth.REQUIRE)
                .protocols(PROTOCOL)
                .build();
    }

    public static SslContext client(Identity id) throws SSLException {
        return SslContextBuilder.forClient()
                .sslProvider(SslProvider.JDK)
                .keyManager(id.tlsKey(), id.tlsCertificate())
                .trustManager(id.caCertificate())
                .protocols(PROTOCOL)
                .endpointIdentificationAlgorithm(null)
                .build();
    }
}
