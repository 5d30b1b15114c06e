package berth.backend;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

import javax.net.ssl.SSLParameters;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import org.jspecify.annotations.Nullable;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * One Docker engine that serves tenants: a pooled HTTP client for ordinary requests and a way to
 * dial raw connections for hijacked ones (attach, exec, BuildKit).
 */
public final class Engine {

	/**
	 * Whom an engine serves, which decides what isolation Berth adds on top of its policy: on a
	 * {@link #SHARED} engine tenants are told apart by name prefixes, list scoping and image
	 * namespaces; an {@link #OWN} engine serves one tenant only (a VM of its own), so it needs none of
	 * that and keeps the policy that protects the host and its kernel.
	 */
	public enum Kind {
		SHARED, OWN
	}

	private final String id;

	private final Kind kind;

	private final EngineAddress address;

	private final HttpClient http;

	private final ConnectionProvider connections;

	private final String hostHeader;

	private final @Nullable SslContext tls;

	public Engine(String id, EngineAddress address, Kind kind) {
		this(id, address, kind, null);
	}

	/**
	 * @param tls mutual TLS to the engine (a tenant's VM: the engine's certificate verified against
	 *     the configured CA, Berth's client certificate presented), or null for a local socket or the
	 *     shared engine on a trusted network
	 */
	public Engine(String id, EngineAddress address, Kind kind, @Nullable SslContext tls) {
		this.id = id;
		this.tls = tls;
		this.kind = kind;
		this.address = address;
		this.hostHeader = address.socketAddress() instanceof InetSocketAddress inet
				? inet.getHostString() + ":" + inet.getPort() : "docker";
		this.connections = ConnectionProvider.builder("engine-" + id)
			.maxConnections(1024)
			.pendingAcquireMaxCount(-1)
			.maxIdleTime(java.time.Duration.ofSeconds(30))
			.build();
		HttpClient http = HttpClient.create(connections)
			.remoteAddress(address::socketAddress)
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
			.compress(false)
			.keepAlive(true);
		this.http = tls == null ? http : http.secure(spec -> spec.sslContext(tls));
	}

	public String id() {
		return id;
	}

	public Kind kind() {
		return kind;
	}

	public EngineAddress address() {
		return address;
	}

	/** The Host header requests to this engine carry. */
	public String hostHeader() {
		return hostHeader;
	}

	public HttpClient http() {
		return http;
	}

	public boolean isTls() {
		return tls != null;
	}

	/**
	 * Puts TLS first in a raw connection's pipeline when the engine is reached over TLS; call it first
	 * in the connection's initializer. The engine's certificate must name its address.
	 */
	public void secure(Channel channel) {
		if (tls == null) {
			return;
		}
		InetSocketAddress inet = (InetSocketAddress) address.socketAddress();
		SslHandler handler = tls.newHandler(channel.alloc(), inet.getHostString(), inet.getPort());
		SSLParameters parameters = handler.engine().getSSLParameters();
		parameters.setEndpointIdentificationAlgorithm("HTTPS");
		handler.engine().setSSLParameters(parameters);
		channel.pipeline().addFirst("tls", handler);
	}

	/** A bootstrap for a raw connection to the engine on the given event loop (the caller's own). */
	public Bootstrap dial(EventLoop loop, Channel like) {
		Bootstrap bootstrap = new Bootstrap().group(loop)
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
			.option(ChannelOption.ALLOW_HALF_CLOSURE, true)
			.option(ChannelOption.AUTO_READ, true);
		boolean epoll = like instanceof io.netty.channel.unix.UnixChannel;
		if (address.isUnixSocket()) {
			if (!epoll) {
				throw new IllegalStateException("unix socket engines need the native epoll transport");
			}
			bootstrap.channel(EpollDomainSocketChannel.class);
		}
		else {
			bootstrap.channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class);
		}
		return bootstrap.remoteAddress(resolved());
	}

	private SocketAddress resolved() {
		if (address.socketAddress() instanceof InetSocketAddress inet && inet.isUnresolved()) {
			return new InetSocketAddress(inet.getHostString(), inet.getPort());
		}
		return address.socketAddress();
	}

	public void dispose() {
		connections.dispose();
	}

}
