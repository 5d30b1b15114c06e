package berth.isolation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import berth.policy.BodyRule;
import berth.web.DockerApiException;
import berth.web.EngineError;

/**
 * Objects named inside request bodies are the tenant's, named in its namespace ({@link Names}), like
 * objects named in paths: the containers of {@code VolumesFrom} and {@code Links}, the networks of
 * {@code NetworkMode} and {@code NetworkingConfig}, the named volumes of {@code Binds} and
 * {@code Mounts} (claimed for the tenant before the engine would create them unlabelled), the
 * container of network connect/disconnect, and the names of volumes and networks being created. Each
 * is checked and rewritten to its engine-side form. A container without a network, or on
 * {@code default} or {@code bridge}, joins the tenant's own default network; a container joining a
 * network gets its name as the tenant knows it as an alias there, so its neighbours reach it by that
 * name. Runs after the policy's own rules, on bodies they accepted.
 */
@Component
@Order(Ordered.LOWEST_PRECEDENCE - 100)
class ReferenceRules implements BodyRule {

	private static final JsonNodeFactory JSON_OBJECTS = JsonNodeFactory.instance;

	/** What a container create may say to mean "the default network". */
	static final Set<String> DEFAULT_MODES = Set.of("", "default", Names.DEFAULT_NETWORK);

	private final Ownership ownership;

	ReferenceRules(Ownership ownership) {
		this.ownership = ownership;
	}

	@Override
	public boolean sharedEngineOnly() {
		return true;
	}

	@Override
	public boolean appliesTo(String endpoint) {
		return switch (endpoint) {
			case "POST /containers/create", "POST /networks/{id}/connect", "POST /networks/{id}/disconnect",
					"POST /volumes/create", "POST /networks/create" ->
				true;
			default -> false;
		};
	}

	@Override
	public Mono<Void> apply(Request request, ObjectNode body) {
		return switch (request.endpoint()) {
			case "POST /containers/create" -> create(request, body);
			case "POST /volumes/create" -> Mono.fromRunnable(() -> volumeCreate(request.tenant().name(), body));
			case "POST /networks/create" -> Mono.fromRunnable(() -> networkCreate(request.tenant().name(), body));
			default -> connect(request, body);
		};
	}

	/** A volume is created under its engine-side name; one without a name gets one, as from the engine. */
	static void volumeCreate(String tenant, ObjectNode body) {
		String name = text(body.get("Name"));
		if (name.isEmpty()) {
			name = Names.generatedVolumeName();
		}
		else {
			Ownership.checkVolumeName(name);
		}
		body.put("Name", Names.engineSide(tenant, name));
	}

	/**
	 * A network is created under its engine-side name, never twice under one name (API 1.41 would
	 * allow that unless asked not to). The engine's predefined names are refused in its words.
	 */
	static void networkCreate(String tenant, ObjectNode body) {
		String name = text(body.get("Name"));
		if (Names.PREDEFINED_NETWORKS.contains(name)) {
			throw new EngineError(HttpStatus.FORBIDDEN, "operation is not permitted on predefined " + name + " network ");
		}
		if (!Names.NETWORK_NAME.matcher(name).matches()) {
			throw new DockerApiException(HttpStatus.BAD_REQUEST,
					"network names start with a letter or digit and use only [a-zA-Z0-9_.-] (up to 200 characters)");
		}
		body.put("Name", Names.engineSide(tenant, name));
		body.put("CheckDuplicate", true);
	}

	private Mono<Void> connect(Request request, ObjectNode body) {
		boolean connecting = request.endpoint().endsWith("/connect");
		String container = text(body.get("Container"));
		// the network in the path first, as the engine looks at it first
		return ownership.ownedTarget(request.tenant(), "POST", request.path())
			.then(connecting ? ownership.namedContainer(request.tenant(), container)
					: ownership.ownedContainer(request.tenant(), container).map(id -> new Ownership.Found(id, null)))
			.flatMap(found -> {
				body.put("Container", found.id());
				if (!connecting) {
					return Mono.empty();
				}
				JsonNode given = body.get("EndpointConfig");
				ObjectNode endpoint = given instanceof ObjectNode object ? object : body.putObject("EndpointConfig");
				if (found.name() != null) {
					alias(endpoint, Names.shown(request.tenant().name(), found.name()));
				}
				return links(request, endpoint.get("Links"));
			});
	}

	private Mono<Void> create(Request request, ObjectNode body) {
		JsonNode host = body.get("HostConfig");
		ObjectNode hostConfig = host instanceof ObjectNode object ? object : body.putObject("HostConfig");
		String given = request.query().getOrDefault("name", "");
		// checked before anything is claimed or created for the container
		String name = given.isEmpty() ? "" : Ownership.createdName(given);
		List<Mono<Void>> steps = new ArrayList<>();
		steps.add(volumesFrom(request, hostConfig));
		steps.add(networking(request, body, hostConfig, name));
		steps.add(volumes(request, hostConfig));
		// the engine answers create's missing references with 400: a 404 would make the CLI pull the image
		return Flux.concat(steps)
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

	/**
	 * The networks of a create: {@code NetworkMode} and the keys of {@code EndpointsConfig} in
	 * engine-side names, the default network for the default; links by name (which the engine resolves
	 * on user-defined networks only in the endpoint settings, so HostConfig's move there); the
	 * container's own name as an alias on each network it joins.
	 */
	private Mono<Void> networking(Request request, ObjectNode body, ObjectNode hostConfig, String name) {
		String mode = text(hostConfig.get("NetworkMode"));
		JsonNode given = body.path("NetworkingConfig").path("EndpointsConfig");
		ObjectNode endpoints = given instanceof ObjectNode object ? object : JSON_OBJECTS.objectNode();
		Mono<String> primary = network(request, mode);
		return primary.flatMap(network -> {
			hostConfig.put("NetworkMode", network);
			return Flux.fromIterable(List.copyOf(endpoints.properties()))
				.concatMap(entry -> network(request, entry.getKey()).map(engineName -> Map.entry(engineName, entry.getValue())))
				.collectList()
				.flatMap(renamed -> {
					ObjectNode rebuilt = JSON_OBJECTS.objectNode();
					renamed.forEach(entry -> rebuilt.set(entry.getKey(), entry.getValue()));
					List<Mono<Void>> links = new ArrayList<>();
					if (userDefined(network)) {
						JsonNode existing = rebuilt.get(network);
						ObjectNode settings = existing instanceof ObjectNode object ? object : rebuilt.putObject(network);
						if (hostConfig.get("Links") instanceof ArrayNode hostLinks && !hostLinks.isEmpty()) {
							JsonNode own = settings.get("Links");
							ArrayNode moved = own instanceof ArrayNode list ? list : settings.putArray("Links");
							moved.addAll(hostLinks);
							hostConfig.remove("Links");
						}
					}
					else {
						links.add(links(request, hostConfig.get("Links")));
					}
					for (Map.Entry<String, JsonNode> entry : rebuilt.properties()) {
						if (entry.getValue() instanceof ObjectNode settings) {
							if (userDefined(entry.getKey()) && !name.isEmpty()) {
								alias(settings, name);
							}
							links.add(links(request, settings.get("Links")));
						}
					}
					if (!rebuilt.isEmpty()) {
						JsonNode networking = body.get("NetworkingConfig");
						ObjectNode config = networking instanceof ObjectNode object ? object : body.putObject("NetworkingConfig");
						config.set("EndpointsConfig", rebuilt);
					}
					return Flux.concat(links).then();
				});
		});
	}

	/** A network as named in a create body, in its engine-side name; the engine's own modes stay. */
	private Mono<String> network(Request request, String given) {
		if (DEFAULT_MODES.contains(given)) {
			return ownership.defaultNetwork(request.tenant());
		}
		if (!userDefined(given)) {
			return Mono.just(given);
		}
		return ownership.namedNetwork(request.tenant(), given).map(found -> found.name() == null ? given : found.name());
	}

	/** Whether a network mode names a network (rather than none, host or another container's). */
	private static boolean userDefined(String mode) {
		return !mode.equals("none") && !mode.equals("host") && !mode.contains(":");
	}

	/**
	 * {@code container[:alias]}, in HostConfig or in a network's endpoint settings: the tenant's
	 * container, linked by its engine-side name under the alias it was given, or under the name the
	 * tenant knows it by.
	 */
	private Mono<Void> links(Request request, @Nullable JsonNode links) {
		if (!(links instanceof ArrayNode list)) {
			return Mono.empty();
		}
		return Flux.range(0, list.size()).concatMap(i -> {
			String entry = text(list.get(i));
			int colon = entry.indexOf(':');
			String container = colon < 0 ? entry : entry.substring(0, colon);
			String name = container.startsWith("/") ? container.substring(1) : container;
			String alias = colon < 0 ? name : entry.substring(colon + 1);
			return ownership.namedContainer(request.tenant(), name)
				.onErrorMap(EngineError.class, e -> new EngineError(HttpStatus.BAD_REQUEST,
						"could not get container for " + name + ": " + e.getMessage()))
				.doOnNext(found -> list.set(i, found.name() + ":" + alias));
		}).then();
	}

	/** Named volumes of {@code Binds} and of volume {@code Mounts}, claimed and put in their engine-side names. */
	private Mono<Void> volumes(Request request, ObjectNode hostConfig) {
		namedVolumes(hostConfig);
		List<Mono<Void>> claims = new ArrayList<>();
		if (hostConfig.get("Binds") instanceof ArrayNode binds) {
			for (int i = 0; i < binds.size(); i++) {
				int index = i;
				String spec = text(binds.get(i));
				int colon = spec.indexOf(':');
				if (colon > 0 && !spec.startsWith("/")) {
					claims.add(ownership.claimVolume(request.tenant(), spec.substring(0, colon))
						.doOnNext(engineName -> binds.set(index, engineName + spec.substring(colon)))
						.then());
				}
			}
		}
		if (hostConfig.get("Mounts") instanceof ArrayNode mounts) {
			for (JsonNode mount : mounts) {
				String type = text(mount.get("Type"));
				String source = text(mount.get("Source"));
				if ((type.isEmpty() || type.equals("volume")) && !source.isEmpty() && mount instanceof ObjectNode object) {
					claims.add(ownership.claimVolume(request.tenant(), source)
						.doOnNext(engineName -> object.put("Source", engineName))
						.then());
				}
			}
		}
		return Flux.concat(claims).then();
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

	/** Adds an alias to a network's endpoint settings, once. */
	static void alias(ObjectNode settings, String alias) {
		JsonNode given = settings.get("Aliases");
		ArrayNode aliases = given instanceof ArrayNode list ? list : settings.putArray("Aliases");
		for (JsonNode existing : aliases) {
			if (alias.equals(existing.asString(""))) {
				return;
			}
		}
		aliases.add(alias);
	}

	private static String text(@Nullable JsonNode node) {
		return node == null || node.isNull() ? "" : node.asString("");
	}

}
