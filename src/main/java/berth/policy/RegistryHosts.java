package berth.policy;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Keeps the engine from connecting into Berth's own network on a tenant's behalf. A pull, push, search
 * or login makes the engine dial the registry that the tenant names; a registry at
 * {@code 10.0.0.5:8080} or {@code 127.0.0.1:6379} would be a connection from the engine's host to a
 * service behind Berth. Such hosts are refused unless an operator allows them
 * ({@code berth.policy.registries.allow}).
 *
 * <p>A name is resolved as the engine resolves it (the system resolver), on a bounded elastic thread,
 * never on an event loop; a name that does not resolve, or resolves to any address in those ranges,
 * is refused. The engine resolves the name again when it connects, so a name whose DNS answers
 * change in between (DNS rebinding) is not covered: see the README.
 */
@Component
class RegistryHosts {

	/** Hosts that some resolver reads as an IPv4 address: digits and dots, or hexadecimal. */
	private static final Pattern NUMERIC = Pattern.compile("[0-9.]+|0x[0-9a-fx.]*", Pattern.CASE_INSENSITIVE);

	private static final Pattern DOTTED_QUAD = Pattern
		.compile("((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])");

	/** Docker Hub's names: the engine's default registry, public. */
	private static final Set<String> DOCKER_HUB = Set.of("docker.io", "index.docker.io", "registry-1.docker.io");

	/** How long a name may take to resolve before the request is refused. */
	private static final Duration RESOLVE_TIMEOUT = Duration.ofSeconds(5);

	/** What resolves a host name; the system resolver, as the engine's. */
	interface Resolver {

		InetAddress[] resolve(String host) throws UnknownHostException;

	}

	private final Set<String> allowed;

	private final Resolver resolver;

	@Autowired
	RegistryHosts(RegistryProperties properties) {
		this(properties.allow(), InetAddress::getAllByName);
	}

	RegistryHosts(List<String> allowed, Resolver resolver) {
		this.allowed = allowed.stream().map(host -> host.strip().toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
		this.resolver = resolver;
	}

	/**
	 * The registry host of an image reference as the engine splits it ({@code distribution/reference}):
	 * the part before the first {@code /} when it has a {@code .} or a {@code :}, is {@code localhost},
	 * or has upper case letters; otherwise the reference is on Docker Hub and {@code null} is returned.
	 */
	static @Nullable String registryOf(String reference) {
		int slash = reference.indexOf('/');
		if (slash < 0) {
			return null;
		}
		String first = reference.substring(0, slash);
		boolean domain = first.indexOf('.') >= 0 || first.indexOf(':') >= 0 || first.equals("localhost")
				|| !first.toLowerCase(Locale.ROOT).equals(first);
		return domain && !DOCKER_HUB.contains(first.toLowerCase(Locale.ROOT)) ? first : null;
	}

	/**
	 * The registry host of a login's {@code serveraddress} as the engine reads it (scheme and path
	 * dropped), or {@code null} for Docker Hub's.
	 */
	static @Nullable String registryOfServerAddress(String address) {
		String host = address.strip();
		String lower = host.toLowerCase(Locale.ROOT);
		if (lower.startsWith("http://")) {
			host = host.substring(7);
		}
		else if (lower.startsWith("https://")) {
			host = host.substring(8);
		}
		int slash = host.indexOf('/');
		host = slash < 0 ? host : host.substring(0, slash);
		return host.isEmpty() || DOCKER_HUB.contains(host.toLowerCase(Locale.ROOT)) ? null : host;
	}

	/** The refusal for a registry host, or empty when the engine may connect to it. */
	Mono<String> refusal(String registry) {
		String lower = registry.toLowerCase(Locale.ROOT);
		String host = hostOf(lower);
		if (allowed.contains(lower) || allowed.contains(host)) {
			return Mono.empty();
		}
		if (host.isEmpty()) {
			return Mono.just("the registry " + registry + " has no host");
		}
		if (NUMERIC.matcher(host).matches() && !DOTTED_QUAD.matcher(host).matches()) {
			// 0177.0.0.1, 0x7f.1, 2130706433: resolvers read these differently (octal, hex, one number)
			return Mono.just("the registry host " + host + " is a number that is not a plain IPv4 address");
		}
		return Mono.fromCallable(() -> {
			InetAddress[] addresses = resolver.resolve(host);
			for (InetAddress address : addresses) {
				if (internal(address)) {
					return "the engine does not connect to registries on private or loopback addresses (" + registry
							+ " is " + address.getHostAddress() + ")";
				}
			}
			return null;
		})
			.subscribeOn(Schedulers.boundedElastic())
			.timeout(RESOLVE_TIMEOUT)
			.onErrorResume(failed -> Mono.just("the registry host " + host + " cannot be resolved"));
	}

	/** The host of {@code host[:port]} or {@code [v6][:port]}, without brackets. */
	static String hostOf(String registry) {
		if (registry.startsWith("[")) {
			int close = registry.indexOf(']');
			return close < 0 ? "" : registry.substring(1, close);
		}
		int colon = registry.indexOf(':');
		return colon < 0 ? registry : registry.substring(0, colon);
	}

	/**
	 * Whether an address is on a network an engine host should not be sent to: loopback, private,
	 * link-local, unique-local, shared (CGNAT), unspecified, multicast and reserved ranges, and IPv6
	 * addresses that carry an IPv4 one (mapped, compatible, NAT64, 6to4).
	 */
	static boolean internal(InetAddress address) {
		if (address.isAnyLocalAddress() || address.isLoopbackAddress() || address.isLinkLocalAddress()
				|| address.isSiteLocalAddress() || address.isMulticastAddress()) {
			return true;
		}
		byte[] bytes = address.getAddress();
		if (address instanceof Inet4Address) {
			int a = bytes[0] & 0xff;
			int b = bytes[1] & 0xff;
			return a == 0 || (a == 100 && (b & 0xc0) == 64) || (a == 192 && b == 0 && bytes[2] == 0)
					|| (a == 198 && (b & 0xfe) == 18) || a >= 240;
		}
		if (address instanceof Inet6Address v6) {
			if ((bytes[0] & 0xfe) == 0xfc) {
				return true;
			}
			if (v6.isIPv4CompatibleAddress() || startsWith(bytes, 0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0)) {
				return internal(v4(Arrays.copyOfRange(bytes, 12, 16)));
			}
			if ((bytes[0] & 0xff) == 0x20 && bytes[1] == 0x02) {
				return internal(v4(Arrays.copyOfRange(bytes, 2, 6)));
			}
		}
		return false;
	}

	private static boolean startsWith(byte[] bytes, int... prefix) {
		for (int i = 0; i < prefix.length; i++) {
			if ((bytes[i] & 0xff) != prefix[i]) {
				return false;
			}
		}
		return true;
	}

	private static InetAddress v4(byte[] bytes) {
		try {
			return InetAddress.getByAddress(bytes);
		}
		catch (UnknownHostException impossible) {
			throw new IllegalStateException(impossible);
		}
	}

}
