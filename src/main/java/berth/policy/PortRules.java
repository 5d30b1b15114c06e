package berth.policy;

import java.util.Map;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Where a container's published ports may listen on the shared host ({@code berth.shared.ports}). In
 * the default {@code loopback} mode a binding without an address (the engine would listen on every
 * host address) is bound to 127.0.0.1, an explicit loopback address is kept, and any other address is
 * refused; public exposure goes through routes ({@code berth.http}). {@code -P} (publish every exposed
 * port) cannot be given an address, so it is refused outside {@code allow}.
 */
@Component
@Order(1)
class PortRules implements BodyRule {

	static final String LOOPBACK = "127.0.0.1";

	private final Refusals refusals;

	private final SharedPortsProperties.Mode mode;

	@Autowired
	PortRules(Refusals refusals, SharedPortsProperties properties) {
		this(refusals, properties.ports());
	}

	PortRules(Refusals refusals, SharedPortsProperties.Mode mode) {
		this.refusals = refusals;
		this.mode = mode;
	}

	@Override
	public boolean appliesTo(String endpoint) {
		return endpoint.equals("POST /containers/create") && mode != SharedPortsProperties.Mode.ALLOW;
	}

	@Override
	public Mono<Void> apply(Request request, ObjectNode body) {
		return Mono.fromRunnable(() -> {
			HostConfigRules.Verdict verdict = (rule, message) -> refusals.forbid(request.tenant().name(),
					request.endpoint(), rule, message);
			if (body.get("HostConfig") instanceof ObjectNode hostConfig) {
				publishAll(hostConfig.get("PublishAllPorts"), verdict);
				if (hostConfig.get("PortBindings") instanceof ObjectNode bindings) {
					bindings(bindings, verdict);
				}
			}
		});
	}

	private void publishAll(JsonNode publishAll, HostConfigRules.Verdict verdict) {
		if (!Values.zero(publishAll)) {
			verdict.refuse("shared-ports", mode == SharedPortsProperties.Mode.DENY ? denied()
					: "publishing every exposed port (-P) would listen on all host addresses; publish ports one by one"
							+ " (-p 127.0.0.1::PORT) or route HTTP with the berth.http label");
		}
	}

	private void bindings(ObjectNode bindings, HostConfigRules.Verdict verdict) {
		for (Map.Entry<String, JsonNode> port : bindings.properties()) {
			if (!port.getValue().isArray()) {
				continue;
			}
			for (JsonNode binding : port.getValue()) {
				if (mode == SharedPortsProperties.Mode.DENY) {
					verdict.refuse("shared-ports", denied());
				}
				if (binding instanceof ObjectNode hostBinding) {
					loopback(port.getKey(), hostBinding, verdict);
				}
			}
		}
	}

	private static void loopback(String port, ObjectNode binding, HostConfigRules.Verdict verdict) {
		String address = Values.text(binding.get("HostIp")).trim();
		if (address.isEmpty() || address.equals("0.0.0.0") || address.equals("::") || address.equals("[::]")) {
			binding.put("HostIp", LOOPBACK);
		}
		else if (!isLoopback(address)) {
			verdict.refuse("shared-ports", "ports on this shared host are published on 127.0.0.1 only (" + port
					+ " asks for " + address + "); route HTTP with the berth.http label to expose a service");
		}
	}

	static boolean isLoopback(String address) {
		String bare = address.startsWith("[") && address.endsWith("]") ? address.substring(1, address.length() - 1)
				: address;
		if (bare.equals("::1")) {
			return true;
		}
		String[] octets = bare.split("\\.", -1);
		if (octets.length != 4 || !octets[0].equals("127")) {
			return false;
		}
		for (String octet : octets) {
			if (octet.isEmpty() || octet.length() > 3 || !octet.chars().allMatch(Character::isDigit)
					|| Integer.parseInt(octet) > 255) {
				return false;
			}
		}
		return true;
	}

	private static String denied() {
		return "publishing host ports is not available on this shared host; route HTTP with the berth.http label";
	}

}
