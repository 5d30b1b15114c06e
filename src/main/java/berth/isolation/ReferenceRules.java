package berth.isolation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import berth.policy.BodyRule;
import berth.web.DockerApiException;
import berth.web.EngineError;

/**
 * Objects named inside request bodies must be the tenant's, like objects named in paths: the
 * containers of {@code VolumesFrom} and {@code Links}, the networks of {@code NetworkMode} and
 * {@code NetworkingConfig}, the named volumes of {@code Binds} and {@code Mounts} (claimed for the
 * tenant before the engine would create them unlabelled), and the container of network
 * connect/disconnect. Runs after the policy's own rules, on bodies they accepted.
 */
@Component
@Order(Ordered.LOWEST_PRECEDENCE - 100)
class ReferenceRules implements BodyRule {

	/** The engine's own networks, shared by every tenant until tenants get default networks of their own. */
	static final Set<String> SHARED_NETWORKS = Set.of("", "default", "bridge", "none");

	private final Ownership ownership;

	ReferenceRules(Ownership ownership) {
		this.ownership = ownership;
	}

	@Override
	public boolean appliesTo(String endpoint) {
		return switch (endpoint) {
			case "POST /containers/create", "POST /networks/{id}/connect", "POST /networks/{id}/disconnect" -> true;
			default -> false;
		};
	}

	@Override
	public Mono<Void> apply(Request request, ObjectNode body) {
		if (!request.endpoint().equals("POST /containers/create")) {
			// the network in the path first, as the engine looks at it first
			String container = text(body.get("Container"));
			return ownership.ownedTarget(request.tenant(), "POST", request.path())
				.then(ownership.ownedContainer(request.tenant(), container))
				.doOnNext(id -> body.put("Container", id))
				.then(links(request, body.path("EndpointConfig").get("Links")));
		}
		JsonNode given = body.get("HostConfig");
		ObjectNode hostConfig = given instanceof ObjectNode object ? object : body.putObject("HostConfig");
		List<Mono<Void>> checks = new ArrayList<>();
		checks.add(volumesFrom(request, hostConfig));
		checks.add(links(request, hostConfig.get("Links")));
		String mode = text(hostConfig.get("NetworkMode"));
		if (!SHARED_NETWORKS.contains(mode) && !mode.contains(":")) {
			checks.add(ownership.ownedNetwork(request.tenant(), mode).then());
		}
		JsonNode networking = body.path("NetworkingConfig").path("EndpointsConfig");
		if (networking.isObject()) {
			for (String network : networking.propertyNames()) {
				if (!SHARED_NETWORKS.contains(network)) {
					checks.add(ownership.ownedNetwork(request.tenant(), network).then());
				}
				checks.add(links(request, networking.get(network).get("Links")));
			}
		}
		for (String volume : namedVolumes(hostConfig)) {
			checks.add(ownership.claimVolume(request.tenant(), volume));
		}
		// the engine answers create's missing references with 400: a 404 would make the CLI pull the image
		return Flux.concat(checks)
			.then()
			.onErrorMap(EngineError.class, e -> e.status() == HttpStatus.NOT_FOUND
					? new EngineError(HttpStatus.BAD_REQUEST, e.getMessage()) : e);
	}

	/** {@code container[:ro|:rw]}, rewritten to the full ID that was checked. */
	private Mono<Void> volumesFrom(Request request, ObjectNode hostConfig) {
		if (!(hostConfig.get("VolumesFrom") instanceof ArrayNode list)) {
			return Mono.empty();
		}
		return Flux.range(0, list.size()).concatMap(i -> {
			String entry = text(list.get(i));
			int colon = entry.indexOf(':');
			String container = colon < 0 ? entry : entry.substring(0, colon);
			String mode = colon < 0 ? "" : entry.substring(colon);
			return ownership.ownedContainer(request.tenant(), container).doOnNext(id -> list.set(i, id + mode));
		}).then();
	}

	/** {@code container[:alias]}, in HostConfig or in a network's endpoint settings. */
	private Mono<Void> links(Request request, @org.jspecify.annotations.Nullable JsonNode links) {
		if (!(links instanceof ArrayNode list)) {
			return Mono.empty();
		}
		return Flux.range(0, list.size()).concatMap(i -> {
			String entry = text(list.get(i));
			int colon = entry.indexOf(':');
			String container = colon < 0 ? entry : entry.substring(0, colon);
			String name = container.startsWith("/") ? container.substring(1) : container;
			return ownership.ownedContainer(request.tenant(), name)
				.onErrorMap(EngineError.class, e -> new EngineError(HttpStatus.BAD_REQUEST,
						"could not get container for " + name + ": " + e.getMessage()))
				.then();
		}).then();
	}

	/** Sources of {@code Binds} that are not host paths, and of {@code Mounts} of type volume. */
	static List<String> namedVolumes(ObjectNode hostConfig) {
		List<String> names = new ArrayList<>();
		if (hostConfig.get("Binds") instanceof ArrayNode binds) {
			for (JsonNode bind : binds) {
				String spec = text(bind);
				int colon = spec.indexOf(':');
				if (colon > 0 && !spec.startsWith("/")) {
					names.add(spec.substring(0, colon));
				}
			}
		}
		if (hostConfig.get("Mounts") instanceof ArrayNode mounts) {
			for (JsonNode mount : mounts) {
				String type = text(mount.get("Type"));
				String source = text(mount.get("Source"));
				if ((type.isEmpty() || type.equals("volume")) && !source.isEmpty()) {
					names.add(source);
				}
				JsonNode labels = mount.path("VolumeOptions").path("Labels");
				if (labels.isObject()) {
					for (Map.Entry<String, JsonNode> label : labels.properties()) {
						if (label.getKey().startsWith("berth.")) {
							throw new DockerApiException(HttpStatus.FORBIDDEN,
									"labels under berth. are reserved for Berth (" + label.getKey() + ")");
						}
					}
				}
			}
		}
		return names;
	}

	private static String text(@org.jspecify.annotations.Nullable JsonNode node) {
		return node == null || node.isNull() ? "" : node.asString("");
	}

}
