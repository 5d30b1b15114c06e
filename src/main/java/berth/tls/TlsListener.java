package berth.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.ssl.DefaultSslBundleRegistry;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundleKey;
import org.springframework.boot.ssl.SslOptions;
import org.springframework.boot.ssl.pem.PemSslStore;
import org.springframework.boot.ssl.pem.PemSslStoreBundle;
import org.springframework.boot.web.server.Ssl;
import org.springframework.boot.web.server.WebServer;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import berth.PlatformProperties;

/**
 * The Docker API over TLS, beside the plain port: a second reactor-netty server that serves the same
 * {@link HttpHandler} (the gateway's filters) with the same server customizers as the plain one (the
 * fast path and the hijack handler sit behind its HTTP codec just the same), so both ports reach the
 * same admission. Client certificates are asked for, not required: the key still works over TLS.
 * Only TLS 1.3 and 1.2, the versions Docker clients speak.
 * <p>
 * The server certificate is the operator's ({@code berth.tls.certificate}) or one issued at start by
 * {@link CertificateAuthority} for the platform's names; it trusts client certificates of that CA.
 * Certificate files (the operator's server certificate and CA) are checked every
 * {@code berth.tls.reload-interval}; a change takes effect for new connections.
 */
@Component
class TlsListener implements SmartLifecycle {

	static final String BUNDLE = "berth-docker-tls";

	private static final Logger log = LoggerFactory.getLogger(TlsListener.class);

	private final TlsProperties properties;

	private final PlatformProperties platform;

	private final CertificateAuthority authority;

	private final ObjectProvider<HttpHandler> handler;

	private final ObjectProvider<NettyReactiveWebServerFactory> plainServer;

	private final ObjectProvider<ReactorResourceFactory> resources;

	private final DefaultSslBundleRegistry bundles = new DefaultSslBundleRegistry();

	private final Map<Path, @Nullable FileTime> watched = new HashMap<>();

	private volatile @Nullable WebServer server;

	TlsListener(TlsProperties properties, PlatformProperties platform, CertificateAuthority authority,
			ObjectProvider<HttpHandler> handler, ObjectProvider<NettyReactiveWebServerFactory> plainServer,
			ObjectProvider<ReactorResourceFactory> resources) {
		this.properties = properties;
		this.platform = platform;
		this.authority = authority;
		this.handler = handler;
		this.plainServer = plainServer;
		this.resources = resources;
	}

	@Override
	public void start() {
		if (!properties.enabled()) {
			return;
		}
		if ((properties.certificate() == null) != (properties.privateKey() == null)) {
			throw new IllegalStateException("berth.tls.certificate and berth.tls.private-key go together: set both or neither");
		}
		rememberFiles();
		bundles.registerBundle(BUNDLE, bundle());
		NettyReactiveWebServerFactory factory = new NettyReactiveWebServerFactory(properties.port());
		NettyReactiveWebServerFactory plain = plainServer.getIfAvailable();
		if (plain != null) {
			factory.setServerCustomizers(plain.getServerCustomizers());
			factory.setAddress(plain.getAddress());
		}
		ReactorResourceFactory shared = resources.getIfAvailable();
		if (shared != null) {
			factory.setResourceFactory(shared);
		}
		Ssl ssl = Ssl.forBundle(BUNDLE);
		ssl.setClientAuth(Ssl.ClientAuth.WANT);
		factory.setSsl(ssl);
		factory.setSslBundles(bundles);
		WebServer started = factory.getWebServer(handler.getObject());
		started.start();
		server = started;
		log.info("Docker API over TLS on port {}", started.getPort());
	}

	@Override
	public void stop() {
		WebServer running = server;
		server = null;
		if (running != null) {
			running.stop();
		}
	}

	@Override
	public boolean isRunning() {
		return server != null;
	}

	/** After the plain web server (which starts at {@code Integer.MAX_VALUE - 1024}). */
	@Override
	public int getPhase() {
		return Integer.MAX_VALUE - 512;
	}

	/** The port it listens on, or 0 when off. */
	int port() {
		WebServer running = server;
		return running == null ? 0 : running.getPort();
	}

	/** Rereads changed certificate files; new connections get the new certificates. */
	@Scheduled(fixedDelayString = "${berth.tls.reload-interval:5s}", initialDelayString = "${berth.tls.reload-interval:5s}")
	void reloadChangedFiles() {
		if (server == null || !filesChanged()) {
			return;
		}
		try {
			authority.reload();
			bundles.updateBundle(BUNDLE, bundle());
			log.info("TLS certificates reloaded from their files");
		}
		catch (RuntimeException e) {
			// a file caught half-written, or a wrong one: keep serving with what was loaded, try again later
			log.warn("TLS certificates not reloaded: {}", e.getMessage());
			watched.replaceAll((file, time) -> null);
		}
	}

	/** The server's key and chain, and the CA it trusts client certificates from. */
	private SslBundle bundle() {
		List<X509Certificate> chain;
		PrivateKey key;
		Path certificateFile = properties.certificate();
		Path keyFile = properties.privateKey();
		if (certificateFile != null && keyFile != null) {
			chain = Pem.certificates(CertificateAuthority.read(certificateFile));
			key = Pem.privateKey(CertificateAuthority.read(keyFile));
		}
		else {
			CertificateAuthority.ServerCertificate issued = authority
				.issueServer(CertificateAuthority.serverNames(platform.domain(), properties.serverNames()));
			chain = List.of(issued.certificate(), authority.certificate());
			key = issued.key();
		}
		PemSslStore keyStore = PemSslStore.of(chain, key);
		PemSslStore trustStore = PemSslStore.of(List.of(authority.certificate()), null);
		return SslBundle.of(new PemSslStoreBundle(keyStore, trustStore), SslBundleKey.NONE,
				SslOptions.of(null, new String[] { "TLSv1.3", "TLSv1.2" }));
	}

	private List<Path> files() {
		List<Path> files = new ArrayList<>(authority.files());
		if (properties.certificate() != null) {
			files.add(properties.certificate());
		}
		if (properties.privateKey() != null) {
			files.add(properties.privateKey());
		}
		return files;
	}

	private void rememberFiles() {
		for (Path file : files()) {
			watched.put(file, modified(file));
		}
	}

	private boolean filesChanged() {
		boolean changed = false;
		for (Path file : files()) {
			FileTime now = modified(file);
			if (!Objects.equals(watched.put(file, now), now)) {
				changed = true;
			}
		}
		return changed;
	}

	private static @Nullable FileTime modified(Path file) {
		try {
			return Files.getLastModifiedTime(file);
		}
		catch (IOException e) {
			return null;
		}
	}

}
