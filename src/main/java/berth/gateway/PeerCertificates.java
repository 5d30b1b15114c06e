package berth.gateway;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import org.jspecify.annotations.Nullable;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.SslInfo;

/**
 * The client certificate of a request that came over the TLS port, as the handshake verified it
 * against Berth's CA: on a Netty channel (fast path, hijacks) or a WebFlux request (the gateway).
 */
final class PeerCertificates {

	private PeerCertificates() {
	}

	static @Nullable X509Certificate of(Channel channel) {
		SslHandler ssl = channel.pipeline().get(SslHandler.class);
		if (ssl == null) {
			return null;
		}
		SSLSession session = ssl.engine().getSession();
		try {
			return first(session.getPeerCertificates());
		}
		catch (SSLPeerUnverifiedException none) {
			return null;
		}
	}

	static @Nullable X509Certificate of(ServerHttpRequest request) {
		SslInfo info = request.getSslInfo();
		return info == null ? null : first(info.getPeerCertificates());
	}

	private static @Nullable X509Certificate first(Certificate @Nullable [] chain) {
		return chain != null && chain.length > 0 && chain[0] instanceof X509Certificate leaf ? leaf : null;
	}

}
