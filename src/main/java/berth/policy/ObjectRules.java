package berth.policy;

import java.util.Set;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** What volume and network creation may ask for: nothing that reaches host paths or host interfaces. */
@Component
@Order(0)
class ObjectRules implements BodyRule {

	/** Network driver options that only tune the tenant's own bridge. */
	static final Set<String> SAFE_NETWORK_OPTIONS = Set.of("com.docker.network.driver.mtu",
			"com.docker.network.bridge.enable_icc");

	private final Refusals refusals;

	ObjectRules(Refusals refusals) {
		this.refusals = refusals;
	}

	@Override
	public boolean appliesTo(String endpoint) {
		return endpoint.equals("POST /volumes/create") || endpoint.equals("POST /networks/create");
	}

	@Override
	public Mono<Void> apply(Request request, ObjectNode body) {
		return Mono.fromRunnable(() -> {
			HostConfigRules.Verdict verdict = (rule, message) -> refusals.forbid(request.tenant().name(),
					request.endpoint(), rule, message);
			if (request.endpoint().equals("POST /volumes/create")) {
				volume(body, verdict);
			}
			else {
				network(body, verdict);
			}
			ContainerRules.labels(body, request.tenant().name(), verdict);
		});
	}

	private static void volume(ObjectNode body, HostConfigRules.Verdict verdict) {
		if (!HostConfigRules.oneOf(body.get("Driver"), "", "local")) {
			verdict.refuse("volume-driver", "volume drivers other than local are not allowed (Driver: "
					+ Values.text(body.get("Driver")) + ")");
		}
		if (!Values.zero(body.get("DriverOpts"))) {
			verdict.refuse("volume-options",
					"volume driver options (type, o, device) can mount host paths and are not allowed");
		}
		if (!Values.zero(body.get("ClusterVolumeSpec"))) {
			verdict.refuse("swarm", "cluster volumes need swarm, which is not available to tenants");
		}
	}

	private static void network(ObjectNode body, HostConfigRules.Verdict verdict) {
		if (!HostConfigRules.oneOf(body.get("Driver"), "", "bridge")) {
			verdict.refuse("network-driver", "network drivers other than bridge are not allowed (Driver: "
					+ Values.text(body.get("Driver")) + ")");
		}
		JsonNode options = body.get("Options");
		if (!Values.absent(options) && options.isObject()) {
			for (String option : options.propertyNames()) {
				if (!SAFE_NETWORK_OPTIONS.contains(option)) {
					verdict.refuse("network-options", "the network option " + option + " is not allowed");
				}
			}
		}
		if (!HostConfigRules.oneOf(body.get("Scope"), "", "local") || !Values.zero(body.get("Ingress"))
				|| !Values.zero(body.get("ConfigOnly")) || !Values.zero(body.get("ConfigFrom"))) {
			verdict.refuse("swarm", "swarm-scoped and config-only networks are not available to tenants");
		}
		JsonNode ipam = body.get("IPAM");
		if (!Values.absent(ipam)) {
			if (!HostConfigRules.oneOf(ipam.get("Driver"), "", "default") || !Values.zero(ipam.get("Options"))) {
				verdict.refuse("network-ipam", "IPAM drivers and options other than the default are not allowed");
			}
			if (!Values.zero(ipam.get("Config"))) {
				verdict.refuse("network-subnet",
						"networks get their subnets from the engine's pools; choosing one could shadow host networks");
			}
		}
	}

}
