package berth.isolation;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import berth.account.TenantRef;
import berth.backend.Backends;
import berth.backend.Engine;
import berth.backend.EngineClient;
import berth.policy.Endpoint;
import berth.policy.Endpoints;
import berth.policy.Policy;
import berth.web.DockerApiException;
import berth.web.EngineError;

/**
 * Who owns what on a shared engine. Every request naming a container, exec, volume or network is
 * resolved on the engine first and checked against the {@code berth.tenant} label Berth sets at
 * creation. Names are the tenant's own ({@link Names}): {@code web} is looked up as
 * {@code <tenant>_web}, then, as the engine does, a hexadecimal reference as an ID prefix. Something
 * another tenant owns is answered exactly like something missing. Containers and networks are then
 * addressed by the full ID the engine returned, so the object checked is the object used even if a
 * name is re-created in between. Ownership of a full ID is cached (IDs are never reused, labels never
 * change); names never are. Each tenant has a default network of its own, created on first use.
 */
@Component
public class Ownership {

	public static final String OWNER_LABEL = "berth.tenant";

	/** Marks a tenant's default network (the one it sees as {@code bridge}); tenants cannot set berth. labels. */
	static final String DEFAULT_NETWORK_LABEL = "berth.network";

	private static final Pattern HEX = Pattern.compile("[0-9a-f]{1,63}");

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final Pattern FULL_ID = Pattern.compile("[0-9a-f]{64}");

	/** Names and ID prefixes the engine accepts; anything else cannot name an object of the tenant's. */
	private static final Pattern REFERENCE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,254}");

	/** The kinds of object a path can name, with the engine's words for a missing one. */
	enum Kind {

		CONTAINER("containers", "No such container: %s"), EXEC("exec", "No such exec instance: %s"),
		VOLUME("volumes", "get %s: no such volume"), NETWORK("networks", "network %s not found");

		private final String collection;

		private final String missing;

		Kind(String collection, String missing) {
			this.collection = collection;
			this.missing = missing;
		}

		EngineError missing(String reference) {
			return new EngineError(HttpStatus.NOT_FOUND, missing.formatted(reference));
		}

		/** The kind of object the registry says the endpoint's path names, if it is one Ownership checks. */
		static @Nullable Kind of(Endpoint endpoint) {
			return switch (endpoint.named()) {
				case CONTAINER -> CONTAINER;
				case EXEC -> EXEC;
				case VOLUME -> VOLUME;
				case NETWORK -> NETWORK;
				case NOTHING, IMAGE -> null;
			};
		}

	}

	/** What the engine answered to an inspect. */
	private record Answer(int status, byte[] body) {
	}

	/**
	 * A tenant's object as the engine knows it.
	 *
	 * @param name the engine-side name; null when ownership came from the cache of full IDs
	 */
	record Found(String id, @Nullable String name) {
	}

	private final Backends backends;

	private final Cache<String, String> owners = Caffeine.newBuilder()
		.maximumSize(100_000)
		.expireAfterAccess(Duration.ofHours(1))
		.build();

	/** Default networks seen to exist lately, by engine and tenant ID (an operator may still remove one). */
	private final Cache<String, Boolean> defaultNetworks = Caffeine.newBuilder()
		.maximumSize(10_000)
		.expireAfterWrite(Duration.ofSeconds(10))
		.build();

	/**
	 * Targets of lists, event streams and prunes as forwarded, by tenant and request: a pure function
	 * of the two (unless the request names containers in {@code before}/{@code since}, which is never
	 * kept), and a client polling {@code docker ps} asks the same one over and over. Bounded by the
	 * characters it holds (about 8 million), so that one tenant's ever-new queries cannot fill memory.
	 */
	private final Cache<String, String> scopedTargets = Caffeine.newBuilder()
		.maximumWeight(8L * 1024 * 1024)
		.weigher((String key, String target) -> key.length() + target.length())
		.expireAfterAccess(Duration.ofMinutes(10))
		.build();

	Ownership(Backends backends) {
		this.backends = backends;
	}

	/**
	 * The path to forward for a request: unchanged when it names no object; with the object's full ID
	 * when it names one of the tenant's containers or networks, with the engine-side name when it names
	 * one of its volumes; an {@link EngineError} 404 when it names something the tenant does not own.
	 */
	public Mono<String> ownedTarget(TenantRef tenant, String method, String rawPath) {
		Kind kind = Kind.of(Policy.endpoint(method, Endpoints.template(rawPath)));
		if (kind == null) {
			return Mono.just(rawPath);
		}
		String unversioned = Endpoints.unversioned(rawPath);
		String version = rawPath.substring(0, rawPath.length() - unversioned.length());
		String[] segments = unversioned.split("/", -1);
		String reference = segments[2];
		boolean removal = kind == Kind.NETWORK && method.equals("DELETE");
		if (removal && reference.equals(Names.DEFAULT_NETWORK)) {
			return Mono.error(defaultNetworkRemoval());
		}
		return backends.engineFor(tenant).flatMap(engine -> switch (kind) {
			case CONTAINER -> container(engine, tenant, reference, false).map(Found::id);
			// the default network by its ID is still the default network
			case NETWORK -> network(engine, tenant, reference, removal)
				.flatMap(found -> removal && Names.defaultNetwork(tenant.name()).equals(found.name())
						? Mono.error(defaultNetworkRemoval()) : Mono.just(found.id()));
			case EXEC -> exec(engine, tenant, reference).thenReturn(reference);
			case VOLUME -> volume(engine, tenant, reference).flatMap(owned -> owned
					? Mono.just(Names.engineSide(tenant.name(), reference)) : Mono.error(Kind.VOLUME.missing(reference)));
		}).map(id -> {
			segments[2] = id;
			return version + String.join("/", segments);
		});
	}

	/**
	 * The whole target (path and query) to forward: {@link #ownedTarget} for the path; lists, events
	 * and prunes narrowed to the tenant's objects, their filters in the tenant's names; a commit's
	 * container checked like a path's; the name of a container created or renamed put in the tenant's
	 * namespace.
	 */
	public Mono<String> ownedRequest(TenantRef tenant, String method, String rawPath, @Nullable String rawQuery) {
		return Mono.defer(() -> {
			Endpoint endpoint = Policy.endpoint(method, Endpoints.template(rawPath));
			switch (endpoint.isolation()) {
				case SCOPED -> {
					String key = tenant.name() + ' ' + endpoint.key() + ' ' + rawPath + '?' + rawQuery;
					String known = scopedTargets.getIfPresent(key);
					return known != null ? Mono.just(known)
							: scoped(tenant, endpoint.key(), rawPath, Query.parse(rawQuery), key);
				}
				case COMMITTED -> {
					Query query = Query.parse(rawQuery);
					String reference = query.first("container");
					return ownedContainer(tenant, reference == null ? "" : reference)
						.map(id -> rawPath + "?" + query.with("container", id));
				}
				case CREATED -> {
					Query query = Query.parse(rawQuery);
					String name = createdName(query.first("name"));
					return Mono.just(rawPath + "?" + query.with("name", Names.engineSide(tenant.name(), name)));
				}
				case RENAMED -> {
					Query query = Query.parse(rawQuery);
					return ownedTarget(tenant, method, rawPath).map(path -> path + "?"
							+ query.with("name", Names.engineSide(tenant.name(), newName(query.first("name")))));
				}
				default -> {
					return ownedTarget(tenant, method, rawPath)
						.map(path -> rawQuery == null ? path : path + "?" + rawQuery);
				}
			}
		});
	}

	/**
	 * A list, event stream or prune: filters narrowed to the tenant and put in its names; the
	 * containers named by {@code before} and {@code since} resolved like any reference. A list filtered
	 * by name is filtered here ({@link TenantView}), so the engine must not cut it short by a limit.
	 */
	private Mono<String> scoped(TenantRef tenant, String endpoint, String rawPath, Query query, String cacheKey) {
		String given = query.first("filters");
		Mono<String> filters = Mono.just(given == null ? "" : given);
		boolean containers = endpoint.equals("GET /containers/json");
		boolean pure = !containers || given == null
				|| (Filters.values(given, "before") == null && Filters.values(given, "since") == null);
		if (containers && !pure) {
			for (String key : List.of("before", "since")) {
				filters = filters.flatMap(current -> {
					List<String> values = Filters.values(current, key);
					if (values == null) {
						return Mono.just(current);
					}
					return Flux.fromIterable(values)
						.concatMap(value -> ownedContainer(tenant, value).onErrorMap(EngineError.class,
								e -> new EngineError(HttpStatus.INTERNAL_SERVER_ERROR, "no such container " + value)))
						.collectList()
						.map(ids -> Filters.replaced(current, key, ids));
				});
			}
		}
		return filters.map(current -> {
			Query forwarded = query;
			if (containers && Filters.values(current, "name") != null && TenantView.limit(query.first("limit")) > 0) {
				// the engine's limit counts containers of any state
				forwarded = Query.parse(Query.parse(query.without("limit")).with("all", "1"));
			}
			String target = rawPath + "?" + forwarded.with("filters", Filters.scoped(current, tenant.name(), endpoint));
			if (pure) {
				scopedTargets.put(cacheKey, target);
			}
			return target;
		});
	}

	private static EngineError defaultNetworkRemoval() {
		return new EngineError(HttpStatus.FORBIDDEN, Names.DEFAULT_NETWORK + " is a pre-defined network and cannot be removed");
	}

	/** The name of a container being created, as the tenant gave it (or one Berth gives it), checked like the engine's. */
	static String createdName(@Nullable String given) {
		String name = given == null ? "" : given.startsWith("/") ? given.substring(1) : given;
		if (name.isEmpty()) {
			return Names.generatedContainerName();
		}
		if (!Names.OBJECT_NAME.matcher(name).matches()) {
			throw new EngineError(HttpStatus.BAD_REQUEST,
					"Invalid container name (" + name + "), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
		}
		return name;
	}

	/** A container's new name, checked like the engine's. */
	static String newName(@Nullable String given) {
		if (given == null || given.isEmpty()) {
			throw new EngineError(HttpStatus.BAD_REQUEST, "Neither old nor new names may be empty");
		}
		String name = given.startsWith("/") ? given.substring(1) : given;
		if (!Names.OBJECT_NAME.matcher(name).matches()) {
			throw new EngineError(HttpStatus.BAD_REQUEST, "Error when allocating new name: Invalid container name (/"
					+ name + "), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
		}
		return name;
	}

	/** The name of a volume being created or used, checked like the engine's. */
	static void checkVolumeName(String name) {
		if (name.length() < 2) {
			throw new EngineError(HttpStatus.BAD_REQUEST, "create " + name
					+ ": volume name is too short, names should be at least two alphanumeric characters");
		}
		if (!Names.OBJECT_NAME.matcher(name).matches()) {
			throw new EngineError(HttpStatus.BAD_REQUEST, "create " + name + ": \"" + name
					+ "\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed."
					+ " If you intended to pass a host directory, use absolute path");
		}
	}

	/** The full ID of the tenant's container so named, or a 404 in the engine's words. */
	public Mono<String> ownedContainer(TenantRef tenant, String reference) {
		return backends.engineFor(tenant).flatMap(engine -> container(engine, tenant, reference, false)).map(Found::id);
	}

	/** The tenant's container so named, with its engine-side name (never from the cache), or a 404. */
	Mono<Found> namedContainer(TenantRef tenant, String reference) {
		return backends.engineFor(tenant).flatMap(engine -> container(engine, tenant, reference, true));
	}

	/** The tenant's network so named, with its engine-side name; {@code bridge} is its default network. */
	Mono<Found> namedNetwork(TenantRef tenant, String reference) {
		return backends.engineFor(tenant).flatMap(engine -> network(engine, tenant, reference, true));
	}

	/** The engine-side name of the tenant's default network, created now if it does not exist yet. */
	Mono<String> defaultNetwork(TenantRef tenant) {
		return backends.engineFor(tenant).flatMap(engine -> defaultNetwork(engine, tenant));
	}

	/**
	 * Makes sure a named volume a container is about to use is the tenant's: an existing one must be
	 * owned by it; a missing one is created now with the owner label (the engine would create it
	 * without one). Refuses a name held by something else.
	 *
	 * @param name the tenant's name for the volume
	 * @return the volume's engine-side name
	 */
	public Mono<String> claimVolume(TenantRef tenant, String name) {
		return Mono.fromRunnable(() -> checkVolumeName(name)).then(backends.engineFor(tenant)).flatMap(engine -> {
			String engineName = Names.engineSide(tenant.name(), name);
			return inspect(engine, "/volumes/" + engineName).flatMap(answer -> {
				if (answer.status() == 200) {
					return Mono.just(answer);
				}
				if (answer.status() != 404) {
					return Mono.error(unexpected(answer));
				}
				ObjectNode body = JSON.createObjectNode().put("Name", engineName);
				body.putObject("Labels").put(OWNER_LABEL, tenant.name());
				return post(engine, "/volumes/create", body);
			}).flatMap(answer -> {
				if (answer.status() / 100 != 2) {
					return Mono.error(unexpected(answer));
				}
				if (!tenant.name().equals(label(JSON.readTree(answer.body()).path("Labels")))) {
					return Mono.error(new DockerApiException(HttpStatus.CONFLICT,
							"the volume name " + name + " is not available; choose another name"));
				}
				return Mono.just(engineName);
			});
		});
	}

	private Mono<Found> container(Engine engine, TenantRef tenant, String reference, boolean named) {
		return owned(engine, tenant, Kind.CONTAINER, reference, named);
	}

	private Mono<Found> network(Engine engine, TenantRef tenant, String reference, boolean named) {
		if (reference.equals(Names.DEFAULT_NETWORK)) {
			return defaultNetwork(engine, tenant).then(owned(engine, tenant, Kind.NETWORK, reference, named));
		}
		return owned(engine, tenant, Kind.NETWORK, reference, named);
	}

	/**
	 * The tenant's default network: a bridge network of its own, so that its containers do not share
	 * the engine's {@code bridge} with everyone's. Created on first use with the owner label; a
	 * concurrent creation is fine (the engine refuses the duplicate name, the network is then read).
	 */
	private Mono<String> defaultNetwork(Engine engine, TenantRef tenant) {
		String name = Names.defaultNetwork(tenant.name());
		// by ID: a tenant deleted and torn down may give its name to a new one, whose network is not there yet
		String key = engine.id() + "/" + tenant.id();
		if (defaultNetworks.getIfPresent(key) != null) {
			return Mono.just(name);
		}
		Mono<Answer> inspect = inspect(engine, "/networks/" + name);
		return inspect.flatMap(answer -> {
			if (answer.status() != 404) {
				return Mono.just(answer);
			}
			ObjectNode body = JSON.createObjectNode().put("Name", name).put("CheckDuplicate", true).put("Driver", "bridge");
			body.putObject("Labels").put(OWNER_LABEL, tenant.name()).put(DEFAULT_NETWORK_LABEL, "default");
			return post(engine, "/networks/create", body).flatMap(created -> switch (created.status()) {
				case 201 -> Mono.just(new Answer(200, JSON.writeValueAsBytes(body)));
				case 409 -> inspect;
				// never the engine's 404 (Docker 20.10 answers a lack of address pools so): the docker
				// CLI would take it for a missing image and try to pull one
				default -> Mono.error(new DockerApiException(HttpStatus.SERVICE_UNAVAILABLE,
						"your default network could not be created, ask the operator: " + message(created)));
			});
		}).flatMap(answer -> {
			if (answer.status() != 200) {
				return Mono.error(unexpected(answer));
			}
			if (!tenant.name().equals(label(JSON.readTree(answer.body()).path("Labels")))) {
				return Mono.error(new DockerApiException(HttpStatus.INTERNAL_SERVER_ERROR,
						"the engine has a network " + name + " that Berth did not create; ask the operator"));
			}
			defaultNetworks.put(key, true);
			return Mono.just(name);
		});
	}

	/** An exec belongs to whoever owns its container. */
	private Mono<Void> exec(Engine engine, TenantRef tenant, String reference) {
		if (!REFERENCE.matcher(reference).matches()) {
			return Mono.error(Kind.EXEC.missing(reference));
		}
		return inspect(engine, "/exec/" + reference + "/json").flatMap(answer -> {
			if (answer.status() != 200) {
				return Mono.error(answer.status() / 100 == 4 ? Kind.EXEC.missing(reference) : unexpected(answer));
			}
			String container = JSON.readTree(answer.body()).path("ContainerID").asString("");
			return container(engine, tenant, container, false)
				.onErrorMap(EngineError.class, e -> Kind.EXEC.missing(reference))
				.then();
		});
	}

	/** Whether the tenant has a volume of that name (volumes are named, never cached). */
	private Mono<Boolean> volume(Engine engine, TenantRef tenant, String name) {
		if (!REFERENCE.matcher(name).matches()) {
			return Mono.just(false);
		}
		return inspect(engine, "/volumes/" + Names.engineSide(tenant.name(), name)).flatMap(answer -> {
			if (answer.status() != 200) {
				return answer.status() / 100 == 4 ? Mono.just(false) : Mono.error(unexpected(answer));
			}
			return Mono.just(tenant.name().equals(label(JSON.readTree(answer.body()).path("Labels"))));
		});
	}

	/**
	 * Resolves a container or network reference the way the engine does, in the tenant's namespace: a
	 * full ID, then the tenant's name, then a hexadecimal reference as an ID prefix. Whatever it
	 * resolves to must carry the tenant's owner label.
	 *
	 * @param named whether the engine-side name is needed (the cache of full IDs does not know it)
	 */
	private Mono<Found> owned(Engine engine, TenantRef tenant, Kind kind, String reference, boolean named) {
		if (!REFERENCE.matcher(reference).matches()) {
			return Mono.error(kind.missing(reference));
		}
		boolean fullId = FULL_ID.matcher(reference).matches();
		if (fullId && !named) {
			String owner = owners.getIfPresent(cacheKey(engine, kind, reference));
			if (owner != null) {
				return owner.equals(tenant.name()) ? Mono.just(new Found(reference, null))
						: Mono.error(kind.missing(reference));
			}
		}
		String name = Names.engineSide(tenant.name(), reference);
		List<String> candidates = fullId ? List.of(reference, name)
				: HEX.matcher(reference).matches() ? List.of(name, reference) : List.of(name);
		return Flux.fromIterable(candidates)
			.concatMap(candidate -> inspect(engine, kind == Kind.CONTAINER ? "/containers/" + candidate + "/json"
					: "/networks/" + candidate))
			.filter(answer -> answer.status() != 404)
			.next()
			.switchIfEmpty(Mono.error(() -> kind.missing(reference)))
			.flatMap(answer -> {
				if (answer.status() != 200) {
					// the engine's "multiple IDs found with provided prefix", which would name others'
					return Mono.error(answer.status() / 100 == 4 ? kind.missing(reference) : unexpected(answer));
				}
				JsonNode json = JSON.readTree(answer.body());
				String id = json.path("Id").asString("");
				String owner = label(kind == Kind.CONTAINER ? json.path("Config").path("Labels") : json.path("Labels"));
				if (!FULL_ID.matcher(id).matches()) {
					return Mono.error(unexpected(answer));
				}
				owners.put(cacheKey(engine, kind, id), owner);
				String engineName = json.path("Name").asString("");
				return owner.equals(tenant.name())
						? Mono.just(new Found(id, engineName.startsWith("/") ? engineName.substring(1) : engineName))
						: Mono.error(kind.missing(reference));
			});
	}

	private static Mono<Answer> post(Engine engine, String path, JsonNode body) {
		return EngineClient.post(engine, path, body).map(reply -> new Answer(reply.status(), reply.body()));
	}

	private static String message(Answer answer) {
		try {
			return JSON.readTree(answer.body()).path("message").asString("status " + answer.status());
		}
		catch (RuntimeException e) {
			return "status " + answer.status();
		}
	}

	private static String cacheKey(Engine engine, Kind kind, String id) {
		return engine.id() + "/" + kind + "/" + id;
	}

	private static String label(JsonNode labels) {
		return labels.path(OWNER_LABEL).asString("");
	}

	private static Mono<Answer> inspect(Engine engine, String path) {
		return EngineClient.get(engine, path).map(reply -> new Answer(reply.status(), reply.body()));
	}

	private static DockerApiException unexpected(Answer answer) {
		return new DockerApiException(HttpStatus.BAD_GATEWAY,
				"the Docker engine answered " + answer.status() + " to an ownership check");
	}

}
