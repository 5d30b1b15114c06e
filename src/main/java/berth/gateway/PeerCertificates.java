package berth.gateway;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import org.jspecify.annotations.Nullable;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.SslInfo;

/**
 * The client certificate of a request that came over the TLS port, as the handshake verified it
 * against Berth's CA: on a Netty channel (fast path, hijacks) or a WebFlux request (the gateway).
 */
public final class PeerCertificates {

	/**
	 * What the handshake gave, looked up once per connection: every request on it would otherwise scan
	 * the pipeline, and a TLS client without a certificate would cost an exception each time.
	 */
	private static final AttributeKey<Peer> PEER = AttributeKey.valueOf(PeerCertificates.class, "peer");

	private record Peer(@Nullable X509Certificate certificate) {
	}

	private PeerCertificates() {
	}

	public static @Nullable X509Certificate of(Channel channel) {
		Peer known = channel.attr(PEER).get();
		if (known == null) {
			known = new Peer(lookUp(channel));
			channel.attr(PEER).set(known);
		}
		return known.certificate();
	}

	private static @Nullable X509Certificate lookUp(Channel channel) {
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

	public static @Nullable X509Certificate of(ServerHttpRequest request) {
		SslInfo info = request.getSslInfo();
		return info == null ? null : first(info.getPeerCertificates());
	}

	private static @Nullable X509Certificate first(Certificate @Nullable [] chain) {
		return chain != null && chain.length > 0 && chain[0] instanceof X509Certificate leaf ? leaf : null;
	}

}
