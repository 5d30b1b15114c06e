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
 * the default {@code loopback} mode a binding on a non-loopback address is refused; a binding that
 * names its host port binds nothing and is kept for answers to show ({@link PublishedPorts}); a port
 * the engine chooses is bound to 127.0.0.1 when no address (or any address) is given, and an explicit
 * loopback address is kept. Public exposure goes through routes ({@code berth.http}). {@code -P}
 * (publish every exposed port) cannot be given an address, so it is refused outside {@code allow}.
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

	/** Host ports are shared only on a shared engine: an engine of the tenant's own binds them as asked. */
	@Override
	public boolean sharedEngineOnly() {
		return true;
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
			PublishedPorts.keep(body);
			if (body.get("HostConfig") instanceof ObjectNode hostConfig
					&& hostConfig.get("PortBindings") instanceof ObjectNode bindings) {
				engineChosen(bindings);
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
				String address = Values.text(binding.get("HostIp")).trim();
				if (!anyAddress(address) && !isLoopback(address)) {
					verdict.refuse("shared-ports", "ports on this shared host are published on 127.0.0.1 only ("
							+ port.getKey() + " asks for " + address
							+ "); route HTTP with the berth.http label to expose a service");
				}
			}
		}
	}

	/** The bindings left to the engine (host port of its choosing) listen on 127.0.0.1 unless a loopback address was given. */
	private static void engineChosen(ObjectNode bindings) {
		for (Map.Entry<String, JsonNode> port : bindings.properties()) {
			for (JsonNode binding : port.getValue()) {
				if (binding instanceof ObjectNode hostBinding && anyAddress(Values.text(binding.get("HostIp")).trim())) {
					hostBinding.put("HostIp", LOOPBACK);
				}
			}
		}
	}

	private static boolean anyAddress(String address) {
		return address.isEmpty() || address.equals("0.0.0.0") || address.equals("::") || address.equals("[::]");
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
