package berth.policy;

import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Host ports a tenant names ({@code -p 8080:80}, compose's {@code "80:80"}) on the shared engine: they
 * bind nothing, and the request is kept in the {@value #LABEL} label, from which answers show it back
 * (inspect, {@code docker ps}, {@code docker port}, compose). Host ports are one namespace for every
 * tenant of the engine, so binding them would let one tenant's {@code 8080} block another's, and let
 * a tenant squat ports to break everyone's deployments; and a port on the shared host's loopback is
 * of no use to a remote tenant anyway. Routes reach a container by its network address. A port the
 * engine chooses ({@code -p 80}, {@code -p 127.0.0.1::80}) cannot collide and still binds, on
 * 127.0.0.1 ({@link PortRules}).
 */
public final class PublishedPorts {

	/** The tenant's named bindings, as {@code PortBindings} JSON; empty when none. */
	public static final String LABEL = "berth.ports";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private PublishedPorts() {
	}

	/** Whether a binding names its host port; an empty one or {@code 0} leaves the choice to the engine. */
	static boolean named(JsonNode binding) {
		String port = Values.text(binding.get("HostPort")).trim();
		return !port.isEmpty() && !port.equals("0");
	}

	/**
	 * Takes the named bindings out of a create body's {@code PortBindings} into the label (their
	 * container ports stay exposed); the label is always set, as a committed image carries the labels
	 * of the container it was made from.
	 */
	static void keep(ObjectNode body) {
		ObjectNode asked = JSON.createObjectNode();
		if (body.get("HostConfig") instanceof ObjectNode hostConfig
				&& hostConfig.get("PortBindings") instanceof ObjectNode bindings) {
			for (String port : List.copyOf(bindings.propertyNames())) {
				if (!(bindings.get(port) instanceof ArrayNode list)) {
					continue;
				}
				ArrayNode engineChosen = JSON.createArrayNode();
				for (JsonNode binding : list) {
					if (named(binding)) {
						asked.withArray(port).add(binding.deepCopy());
					}
					else {
						engineChosen.add(binding);
					}
				}
				if (asked.has(port)) {
					expose(body, port);
					if (engineChosen.isEmpty()) {
						bindings.remove(port);
					}
					else {
						bindings.set(port, engineChosen);
					}
				}
			}
		}
		JsonNode labels = body.get("Labels");
		(labels instanceof ObjectNode object ? object : body.putObject("Labels")).put(LABEL,
				asked.isEmpty() ? "" : JSON.writeValueAsString(asked));
	}

	private static void expose(ObjectNode body, String port) {
		JsonNode given = body.get("ExposedPorts");
		ObjectNode exposed = given instanceof ObjectNode object ? object : body.putObject("ExposedPorts");
		if (!exposed.has(port)) {
			exposed.putObject(port);
		}
	}

	/**
	 * An inspect answer as the tenant sees it: its named bindings in {@code HostConfig.PortBindings}
	 * as it gave them, and, where the engine lists the container port (it does while the container
	 * runs), in {@code NetworkSettings.Ports}. Call before Berth's labels are hidden.
	 */
	public static void showInspected(JsonNode container) {
		ObjectNode asked = asked(container.path("Config").path("Labels"));
		if (asked == null) {
			return;
		}
		if (container.path("HostConfig") instanceof ObjectNode hostConfig) {
			JsonNode given = hostConfig.get("PortBindings");
			ObjectNode bindings = given instanceof ObjectNode object ? object : hostConfig.putObject("PortBindings");
			for (Map.Entry<String, JsonNode> port : asked.properties()) {
				JsonNode existing = bindings.get(port.getKey());
				ArrayNode list = existing instanceof ArrayNode array ? array : bindings.putArray(port.getKey());
				port.getValue().forEach(binding -> list.add(binding.deepCopy()));
			}
		}
		if (container.path("NetworkSettings").get("Ports") instanceof ObjectNode ports) {
			for (Map.Entry<String, JsonNode> port : asked.properties()) {
				if (!ports.has(port.getKey())) {
					continue;
				}
				JsonNode existing = ports.get(port.getKey());
				ArrayNode list = existing instanceof ArrayNode array ? array : ports.putArray(port.getKey());
				for (JsonNode binding : port.getValue()) {
					list.addObject().put("HostIp", shownAddress(binding)).put("HostPort", Values.text(binding.get("HostPort")));
				}
			}
		}
	}

	/**
	 * A {@code GET /containers/json} item as the tenant sees it: each exposed port the tenant named a
	 * host port for is listed with it. Call before Berth's labels are hidden.
	 */
	public static void showListed(JsonNode item) {
		ObjectNode asked = asked(item.path("Labels"));
		if (asked == null || !(item.get("Ports") instanceof ArrayNode ports)) {
			return;
		}
		for (Map.Entry<String, JsonNode> port : asked.properties()) {
			String[] numberAndProtocol = port.getKey().split("/", 2);
			String protocol = numberAndProtocol.length == 2 ? numberAndProtocol[1] : "tcp";
			Integer number = number(numberAndProtocol[0]);
			if (number == null || !removeUnpublished(ports, number, protocol)) {
				continue;
			}
			for (JsonNode binding : port.getValue()) {
				ObjectNode listed = ports.addObject().put("IP", shownAddress(binding)).put("PrivatePort", number);
				Integer hostPort = number(Values.text(binding.get("HostPort")));
				if (hostPort != null) {
					listed.put("PublicPort", hostPort);
				}
				listed.put("Type", protocol);
			}
		}
	}

	/** Removes the list's entries of a container port without a host port; whether there was one. */
	private static boolean removeUnpublished(ArrayNode ports, int number, String protocol) {
		boolean found = false;
		for (int i = ports.size() - 1; i >= 0; i--) {
			JsonNode port = ports.get(i);
			if (port.path("PrivatePort").asInt(-1) == number && protocol.equals(port.path("Type").asString(""))
					&& !port.has("PublicPort")) {
				ports.remove(i);
				found = true;
			}
		}
		return found;
	}

	/** The address an engine shows for a binding: the one asked for, or {@code 0.0.0.0} for any. */
	private static String shownAddress(JsonNode binding) {
		String address = Values.text(binding.get("HostIp")).trim();
		return address.isEmpty() ? "0.0.0.0" : address;
	}

	/** The first number of {@code 8080} or {@code 8080-8090}. */
	private static @Nullable Integer number(String text) {
		int dash = text.indexOf('-');
		try {
			return Integer.parseInt((dash < 0 ? text : text.substring(0, dash)).trim());
		}
		catch (NumberFormatException e) {
			return null;
		}
	}

	private static @Nullable ObjectNode asked(JsonNode labels) {
		String text = labels.path(LABEL).asString("");
		if (text.isEmpty()) {
			return null;
		}
		try {
			return JSON.readTree(text) instanceof ObjectNode object && !object.isEmpty() ? object : null;
		}
		catch (JacksonException e) {
			return null;
		}
	}

}
