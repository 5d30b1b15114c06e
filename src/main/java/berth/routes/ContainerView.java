package berth.routes;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * What routes need to know of a container, read from the engine's inspect or list answer.
 *
 * @param addresses the container's IP address on each network it is attached to, by network name
 * @param publishedPorts the host port each published TCP container port is bound to
 */
record ContainerView(String id, String name, Map<String, String> labels, boolean running,
		@Nullable Instant startedAt, Map<String, String> addresses, Map<Integer, Integer> publishedPorts) {

	/** From {@code GET /containers/{id}/json}. */
	static ContainerView fromInspect(JsonNode inspect) {
		JsonNode state = inspect.path("State");
		Map<Integer, Integer> published = new HashMap<>();
		inspect.path("NetworkSettings").path("Ports").properties().forEach(entry -> {
			String[] portAndProtocol = entry.getKey().split("/");
			JsonNode bindings = entry.getValue();
			if (portAndProtocol.length == 2 && "tcp".equals(portAndProtocol[1]) && bindings.isArray()
					&& !bindings.isEmpty()) {
				Integer hostPort = integer(bindings.get(0).path("HostPort").asString(""));
				Integer port = integer(portAndProtocol[0]);
				if (hostPort != null && port != null) {
					published.putIfAbsent(port, hostPort);
				}
			}
		});
		return new ContainerView(inspect.path("Id").asString(""), stripSlash(inspect.path("Name").asString("")),
				strings(inspect.path("Config").path("Labels")), state.path("Running").asBoolean(false),
				instant(state.path("StartedAt").asString("")), addresses(inspect.path("NetworkSettings").path("Networks")),
				published);
	}

	/** From an element of {@code GET /containers/json}; the list does not tell when it started. */
	static ContainerView fromList(JsonNode item) {
		Map<Integer, Integer> published = new HashMap<>();
		for (JsonNode port : item.path("Ports")) {
			if ("tcp".equals(port.path("Type").asString("")) && port.path("PublicPort").isInt()) {
				published.putIfAbsent(port.path("PrivatePort").asInt(), port.path("PublicPort").asInt());
			}
		}
		JsonNode names = item.path("Names");
		String name = names.isArray() && !names.isEmpty() ? stripSlash(names.get(0).asString("")) : "";
		return new ContainerView(item.path("Id").asString(""), name, strings(item.path("Labels")),
				"running".equals(item.path("State").asString("")), null,
				addresses(item.path("NetworkSettings").path("Networks")), published);
	}

	/**
	 * Where Traefik reaches the container's {@code port}, or null when it cannot: no address on any
	 * network (host or none networking), or the port not published.
	 */
	@Nullable String targetUrl(int port, RouteProperties.Target target, String network, String publishedHost) {
		if (target == RouteProperties.Target.PUBLISHED_PORT) {
			Integer hostPort = publishedPorts.get(port);
			return hostPort == null ? null : "http://" + publishedHost + ":" + hostPort;
		}
		String address = addresses.get(network);
		if (address == null) {
			address = new TreeMap<>(addresses).values().stream().findFirst().orElse(null);
		}
		return address == null ? null : "http://" + address + ":" + port;
	}

	private static Map<String, String> addresses(JsonNode networks) {
		Map<String, String> out = new HashMap<>();
		networks.properties().forEach(entry -> {
			String ip = entry.getValue().path("IPAddress").asString("");
			if (!ip.isEmpty()) {
				out.put(entry.getKey(), ip);
			}
		});
		return out;
	}

	private static Map<String, String> strings(JsonNode object) {
		Map<String, String> out = new HashMap<>();
		object.properties().forEach(entry -> {
			if (entry.getValue().isString()) {
				out.put(entry.getKey(), entry.getValue().stringValue());
			}
		});
		return out;
	}

	private static @Nullable Instant instant(String text) {
		try {
			return text.isEmpty() || text.startsWith("0001-") ? null : Instant.parse(text);
		}
		catch (DateTimeParseException e) {
			return null;
		}
	}

	private static @Nullable Integer integer(String text) {
		try {
			return Integer.valueOf(text);
		}
		catch (NumberFormatException e) {
			return null;
		}
	}

	private static String stripSlash(String name) {
		return name.startsWith("/") ? name.substring(1) : name;
	}

}
