package berth.backend;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;

import io.netty.channel.unix.DomainSocketAddress;

/**
 * Where a Docker engine listens, parsed from a DOCKER_HOST-style string: {@code unix:///path} or
 * {@code tcp://host:port}.
 */
public record EngineAddress(String dockerHost, SocketAddress socketAddress) {

	public static EngineAddress parse(String dockerHost) {
		URI uri = URI.create(dockerHost);
		String scheme = uri.getScheme() == null ? "" : uri.getScheme();
		return switch (scheme) {
			case "unix" -> new EngineAddress(dockerHost, new DomainSocketAddress(uri.getPath()));
			case "tcp", "http" -> {
				if (uri.getHost() == null) {
					throw new IllegalArgumentException("engine address needs a host: " + dockerHost);
				}
				int port = uri.getPort() == -1 ? 2375 : uri.getPort();
				yield new EngineAddress(dockerHost, InetSocketAddress.createUnresolved(uri.getHost(), port));
			}
			default -> throw new IllegalArgumentException(
					"engine address must be unix:///path or tcp://host:port, not " + dockerHost);
		};
	}

	public boolean isUnixSocket() {
		return socketAddress instanceof DomainSocketAddress;
	}

}
