package berth.routes;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The keys of one HTTP route in Traefik's KV layout, services first: a router named {@code name}
 * with rule {@code Host(`host`)}, the configured entry point and certificate resolver, and a service of
 * the same name with one server. Key names use the camelCase of Traefik's KV reference.
 */
final class TraefikKeys {

	private final String root;

	private final String entryPoint;

	private final String certResolver;

	TraefikKeys(RouteProperties properties) {
		this(properties.rootKey(), properties.entryPoint(), properties.certResolver());
	}

	TraefikKeys(String root, String entryPoint, String certResolver) {
		this.root = root;
		this.entryPoint = entryPoint;
		this.certResolver = certResolver;
	}

	/** The route's keys and values, service keys first, in the order they are to be written. */
	Map<String, String> of(String name, String host, String url) {
		Map<String, String> keys = new LinkedHashMap<>();
		keys.put(service(name) + "/loadBalancer/servers/0/url", url);
		String router = root + "/http/routers/" + name;
		keys.put(router + "/rule", "Host(`" + host + "`)");
		keys.put(router + "/entryPoints/0", entryPoint);
		keys.put(router + "/service", name);
		if (!certResolver.isEmpty()) {
			keys.put(router + "/tls/certResolver", certResolver);
		}
		return keys;
	}

	/** The key whose presence tells the published view is there (Redis not flushed or lost). */
	String sentinel(String apexRouter) {
		return root + "/http/routers/" + apexRouter + "/rule";
	}

	boolean isServiceKey(String key) {
		return key.startsWith(root + "/http/services/");
	}

	private String service(String name) {
		return root + "/http/services/" + name;
	}

}
