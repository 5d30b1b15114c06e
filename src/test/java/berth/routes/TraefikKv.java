package berth.routes;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.sync.RedisCommands;

/**
 * Reads the HTTP routers and services under a root key the way Traefik's KV provider does: every
 * key under the prefix, split on '/', names compared case-insensitively, list elements as numeric
 * indexes. Unknown fields and broken lists are problems, as Traefik would refuse or ignore them.
 */
final class TraefikKv {

	record Router(String name, String rule, List<String> entryPoints, String service, String certResolver,
			List<String> middlewares) {
	}

	record Service(String name, List<String> urls) {
	}

	record Config(Map<String, Router> routers, Map<String, Service> services, List<String> problems) {

		Optional<Router> routerFor(String host) {
			String rule = "host(`" + host + "`)";
			return routers.values().stream().filter(router -> router.rule().toLowerCase(Locale.ROOT).equals(rule)).findFirst();
		}

		/** The first server of the router's service, where Traefik sends requests for the host. */
		Optional<String> urlFor(String host) {
			return routerFor(host).map(router -> services.get(router.service().toLowerCase(Locale.ROOT)))
				.filter(service -> !service.urls().isEmpty())
				.map(service -> service.urls().get(0));
		}

	}

	private TraefikKv() {
	}

	/** Every key under {@code root/} in the database, with its value (the test may SCAN; Berth never does). */
	static Map<String, String> dump(RedisCommands<String, String> redis, String root) {
		Map<String, String> out = new TreeMap<>();
		ScanCursor cursor = ScanCursor.INITIAL;
		do {
			KeyScanCursor<String> page = redis.scan(cursor, ScanArgs.Builder.matches(root + "/*").limit(500));
			for (String key : page.getKeys()) {
				String value = redis.get(key);
				if (value != null) {
					out.put(key, value);
				}
			}
			cursor = page;
		}
		while (!cursor.isFinished());
		return out;
	}

	static Config read(RedisCommands<String, String> redis, String root) {
		return parse(dump(redis, root), root);
	}

	/** A tree of lowercase path segments, as Traefik's parser builds it from the keys. */
	private static final class Node {

		final Map<String, Node> children = new TreeMap<>();

		String value;

		Node child(String name) {
			return children.computeIfAbsent(name.toLowerCase(Locale.ROOT), n -> new Node());
		}

	}

	static Config parse(Map<String, String> kv, String root) {
		List<String> problems = new ArrayList<>();
		Node tree = new Node();
		kv.forEach((key, value) -> {
			if (!key.regionMatches(true, 0, root + "/", 0, root.length() + 1)) {
				return;
			}
			Node node = tree;
			for (String segment : key.substring(root.length() + 1).split("/", -1)) {
				if (segment.isEmpty()) {
					problems.add("empty path segment in " + key);
				}
				node = node.child(segment);
			}
			if (node.value != null) {
				problems.add("two keys name " + key + " (keys are case-insensitive)");
			}
			node.value = value;
		});
		Map<String, Router> routers = new LinkedHashMap<>();
		Map<String, Service> services = new LinkedHashMap<>();
		tree.children.forEach((protocol, protocolNode) -> {
			if (!protocol.equals("http")) {
				problems.add("unexpected section " + protocol);
				return;
			}
			protocolNode.children.forEach((kind, names) -> names.children.forEach((name, node) -> {
				switch (kind) {
					case "routers" -> routers.put(name, router(name, node, problems));
					case "services" -> services.put(name, service(name, node, problems));
					default -> problems.add("unexpected http section " + kind);
				}
			}));
		});
		routers.values().forEach(router -> {
			if (!services.containsKey(router.service().toLowerCase(Locale.ROOT))) {
				problems.add("router " + router.name() + " uses missing service " + router.service());
			}
		});
		return new Config(routers, services, problems);
	}

	private static Router router(String name, Node node, List<String> problems) {
		String rule = "";
		String service = "";
		String certResolver = "";
		List<String> entryPoints = List.of();
		List<String> middlewares = List.of();
		for (var field : node.children.entrySet()) {
			Node value = field.getValue();
			switch (field.getKey()) {
				case "rule" -> rule = leaf(value, name + "/rule", problems);
				case "service" -> service = leaf(value, name + "/service", problems);
				case "entrypoints" -> entryPoints = list(value, name + "/entryPoints", problems);
				case "middlewares" -> middlewares = list(value, name + "/middlewares", problems);
				case "priority" -> leaf(value, name + "/priority", problems);
				case "tls" -> {
					for (var tls : value.children.entrySet()) {
						if (tls.getKey().equals("certresolver")) {
							certResolver = leaf(tls.getValue(), name + "/tls/certResolver", problems);
						}
						else {
							problems.add("router " + name + ": unexpected tls field " + tls.getKey());
						}
					}
				}
				default -> problems.add("router " + name + ": unknown field " + field.getKey());
			}
		}
		if (rule.isEmpty()) {
			problems.add("router " + name + " has no rule");
		}
		return new Router(name, rule, entryPoints, service, certResolver, middlewares);
	}

	private static Service service(String name, Node node, List<String> problems) {
		List<String> urls = new ArrayList<>();
		for (var field : node.children.entrySet()) {
			if (!field.getKey().equals("loadbalancer")) {
				problems.add("service " + name + ": unsupported field " + field.getKey());
				continue;
			}
			for (var lb : field.getValue().children.entrySet()) {
				switch (lb.getKey()) {
					case "servers" -> {
						List<Node> servers = indexed(lb.getValue(), name + "/servers", problems);
						for (Node server : servers) {
							Node url = server.children.get("url");
							if (url == null || url.value == null || server.children.size() != 1) {
								problems.add("service " + name + ": a server needs exactly a url");
							}
							else {
								urls.add(url.value);
							}
						}
					}
					case "passhostheader" -> leaf(lb.getValue(), name + "/passHostHeader", problems);
					default -> problems.add("service " + name + ": unknown loadBalancer field " + lb.getKey());
				}
			}
		}
		if (urls.isEmpty()) {
			problems.add("service " + name + " has no server");
		}
		return new Service(name, urls);
	}

	private static String leaf(Node node, String where, List<String> problems) {
		if (node.value == null || !node.children.isEmpty()) {
			problems.add(where + " is not a plain value");
			return "";
		}
		return node.value;
	}

	private static List<String> list(Node node, String where, List<String> problems) {
		return indexed(node, where, problems).stream().map(element -> leaf(element, where, problems)).toList();
	}

	/** List elements are children named 0, 1, 2, ... without gaps. */
	private static List<Node> indexed(Node node, String where, List<String> problems) {
		TreeMap<Integer, Node> byIndex = new TreeMap<>();
		node.children.forEach((name, child) -> {
			try {
				byIndex.put(Integer.parseInt(name), child);
			}
			catch (NumberFormatException e) {
				problems.add(where + ": '" + name + "' is not a list index");
			}
		});
		if (!byIndex.isEmpty() && (byIndex.firstKey() != 0 || byIndex.lastKey() != byIndex.size() - 1)) {
			problems.add(where + ": list indexes are not 0.." + (byIndex.size() - 1));
		}
		return new ArrayList<>(byIndex.values());
	}

}
