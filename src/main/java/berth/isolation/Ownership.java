package berth.isolation;

import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.regex.Pattern;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.netty.channel.ConnectTimeoutException;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import berth.account.TenantRef;
import berth.backend.Backends;
import berth.backend.Engine;
import berth.policy.Endpoints;
import berth.web.DockerApiException;
import berth.web.EngineError;

/**
 * Who owns what on a shared engine. Every request naming a container, exec, volume or network is
 * resolved on the engine first (full ID, ID prefix or name, as the engine resolves it) and checked
 * against the {@code berth.tenant} label Berth sets at creation. Something another tenant owns is
 * answered exactly like something missing. Containers and networks are then addressed by the full ID
 * the engine returned, so the object checked is the object used even if a name is re-created in
 * between. Ownership of a full ID is cached (IDs are never reused, labels never change); names never
 * are.
 */
@Component
public class Ownership {

	public static final String OWNER_LABEL = "berth.tenant";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final Pattern FULL_ID = Pattern.compile("[0-9a-f]{64}");

	/** Names and ID prefixes the engine accepts; anything else cannot name an object of the tenant's. */
	private static final Pattern REFERENCE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,254}");

	/** Endpoints whose query is narrowed to the tenant's objects by the owner label. */
	private static final Set<String> SCOPED = Set.of("GET /containers/json", "GET /volumes", "GET /networks",
			"GET /events", "POST /containers/prune", "POST /volumes/prune", "POST /networks/prune");

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

		static @Nullable Kind of(String template) {
			for (Kind kind : values()) {
				if (template.startsWith("/" + kind.collection + "/{id}")) {
					return kind;
				}
			}
			return null;
		}

	}

	/** What the engine answered to an inspect. */
	private record Answer(int status, byte[] body) {
	}

	private final Backends backends;

	private final Cache<String, String> owners = Caffeine.newBuilder()
		.maximumSize(100_000)
		.expireAfterAccess(Duration.ofHours(1))
		.build();

	Ownership(Backends backends) {
		this.backends = backends;
	}

	/**
	 * The path to forward for a request: unchanged when it names no object, with the object's full ID
	 * when it names one of the tenant's containers or networks; an {@link EngineError} 404 when it
	 * names something the tenant does not own.
	 */
	public Mono<String> ownedTarget(TenantRef tenant, String method, String rawPath) {
		Kind kind = Kind.of(Endpoints.template(rawPath));
		if (kind == null) {
			return Mono.just(rawPath);
		}
		String unversioned = Endpoints.unversioned(rawPath);
		String version = rawPath.substring(0, rawPath.length() - unversioned.length());
		String[] segments = unversioned.split("/", -1);
		String reference = segments[2];
		return backends.engineFor(tenant).flatMap(engine -> switch (kind) {
			case CONTAINER -> container(engine, tenant, reference);
			case NETWORK -> network(engine, tenant, reference);
			case EXEC -> exec(engine, tenant, reference).thenReturn(reference);
			case VOLUME -> volume(engine, tenant, reference).flatMap(owned -> owned ? Mono.just(reference)
					: Mono.error(Kind.VOLUME.missing(reference)));
		}).map(id -> {
			segments[2] = id;
			return version + String.join("/", segments);
		});
	}

	/**
	 * The whole target (path and query) to forward: {@link #ownedTarget} for the path; lists, events
	 * and prunes narrowed to the tenant's objects; a commit's container checked like a path's.
	 */
	public Mono<String> ownedRequest(TenantRef tenant, String method, String rawPath, @Nullable String rawQuery) {
		String endpoint = method + " " + Endpoints.template(rawPath);
		if (SCOPED.contains(endpoint)) {
			Query query = Query.parse(rawQuery);
			return Mono.just(rawPath + "?" + query.with("filters", Filters.scoped(query.first("filters"), tenant.name())));
		}
		if (endpoint.equals("POST /commit")) {
			Query query = Query.parse(rawQuery);
			String reference = query.first("container");
			return backends.engineFor(tenant)
				.flatMap(engine -> container(engine, tenant, reference == null ? "" : reference))
				.map(id -> rawPath + "?" + query.with("container", id));
		}
		return ownedTarget(tenant, method, rawPath)
			.map(path -> rawQuery == null ? path : path + "?" + rawQuery);
	}

	/** The full ID of the tenant's container so named, or a 404 in the engine's words. */
	public Mono<String> ownedContainer(TenantRef tenant, String reference) {
		return backends.engineFor(tenant).flatMap(engine -> container(engine, tenant, reference));
	}

	/** The full ID of the tenant's network so named, or a 404 in the engine's words. */
	public Mono<String> ownedNetwork(TenantRef tenant, String reference) {
		return backends.engineFor(tenant).flatMap(engine -> network(engine, tenant, reference));
	}

	/**
	 * Makes sure a named volume a container is about to use is the tenant's: an existing one must be
	 * owned by it; a missing one is created now with the owner label (the engine would create it
	 * without one). Refuses a name another tenant holds.
	 */
	public Mono<Void> claimVolume(TenantRef tenant, String name) {
		if (!REFERENCE.matcher(name).matches()) {
			return Mono.error(Kind.VOLUME.missing(name));
		}
		return backends.engineFor(tenant).flatMap(engine -> inspect(engine, "/volumes/" + name).flatMap(answer -> {
			if (answer.status() == 200) {
				return Mono.just(answer);
			}
			if (answer.status() != 404) {
				return Mono.error(unexpected(answer));
			}
			String body = JSON.writeValueAsString(JSON.createObjectNode()
				.put("Name", name)
				.set("Labels", JSON.createObjectNode().put(OWNER_LABEL, tenant.name())));
			return engine.http()
				.headers(headers -> headers.set("Content-Type", "application/json"))
				.post()
				.uri("/volumes/create")
				.send(reactor.netty.ByteBufFlux.fromString(Mono.just(body)))
				.responseSingle((response, bytes) -> bytes.asByteArray()
					.defaultIfEmpty(new byte[0])
					.map(read -> new Answer(response.status().code(), read)))
				.switchIfEmpty(Mono.error(() -> new DockerApiException(HttpStatus.BAD_GATEWAY,
						"the Docker engine gave no answer to a volume create")));
		}).flatMap(answer -> {
			if (answer.status() / 100 != 2) {
				return Mono.error(unexpected(answer));
			}
			if (!tenant.name().equals(label(JSON.readTree(answer.body()).path("Labels")))) {
				return Mono.error(new DockerApiException(HttpStatus.CONFLICT,
						"the volume name " + name + " is not available; choose another name"));
			}
			return Mono.<Void>empty();
		})).onErrorMap(Ownership::unreachable, Ownership::badGateway);
	}

	private Mono<String> container(Engine engine, TenantRef tenant, String reference) {
		return owned(engine, tenant, Kind.CONTAINER, reference, "/containers/" + reference + "/json",
				json -> json.path("Config").path("Labels"));
	}

	private Mono<String> network(Engine engine, TenantRef tenant, String reference) {
		return owned(engine, tenant, Kind.NETWORK, reference, "/networks/" + reference, json -> json.path("Labels"));
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
			return container(engine, tenant, container).onErrorMap(EngineError.class, e -> Kind.EXEC.missing(reference))
				.then();
		});
	}

	/** Whether the volume exists and is the tenant's (volumes are named, never cached). */
	private Mono<Boolean> volume(Engine engine, TenantRef tenant, String name) {
		if (!REFERENCE.matcher(name).matches()) {
			return Mono.just(false);
		}
		return inspect(engine, "/volumes/" + name).flatMap(answer -> {
			if (answer.status() != 200) {
				return answer.status() / 100 == 4 ? Mono.just(false) : Mono.error(unexpected(answer));
			}
			return Mono.just(tenant.name().equals(label(JSON.readTree(answer.body()).path("Labels"))));
		});
	}

	private Mono<String> owned(Engine engine, TenantRef tenant, Kind kind, String reference, String inspectPath,
			java.util.function.Function<JsonNode, JsonNode> labels) {
		if (!REFERENCE.matcher(reference).matches()) {
			return Mono.error(kind.missing(reference));
		}
		if (FULL_ID.matcher(reference).matches()) {
			String owner = owners.getIfPresent(cacheKey(engine, kind, reference));
			if (owner != null) {
				return owner.equals(tenant.name()) ? Mono.just(reference) : Mono.error(kind.missing(reference));
			}
		}
		return inspect(engine, inspectPath).flatMap(answer -> {
			if (answer.status() != 200) {
				// 404, and the engine's "multiple IDs found with provided prefix", which would name others'
				return Mono.error(answer.status() / 100 == 4 ? kind.missing(reference) : unexpected(answer));
			}
			JsonNode json = JSON.readTree(answer.body());
			String id = json.path("Id").asString("");
			String owner = label(labels.apply(json));
			if (!FULL_ID.matcher(id).matches()) {
				return Mono.error(unexpected(answer));
			}
			owners.put(cacheKey(engine, kind, id), owner);
			return owner.equals(tenant.name()) ? Mono.just(id) : Mono.error(kind.missing(reference));
		});
	}

	private static String cacheKey(Engine engine, Kind kind, String id) {
		return engine.id() + "/" + kind + "/" + id;
	}

	private static String label(JsonNode labels) {
		return labels.path(OWNER_LABEL).asString("");
	}

	private static Mono<Answer> inspect(Engine engine, String path) {
		return engine.http()
			.get()
			.uri(path)
			.responseSingle((response, body) -> body.asByteArray()
				.defaultIfEmpty(new byte[0])
				.map(bytes -> new Answer(response.status().code(), bytes)))
			.switchIfEmpty(Mono.error(() -> new DockerApiException(HttpStatus.BAD_GATEWAY,
					"the Docker engine gave no answer to an ownership check")))
			.onErrorMap(Ownership::unreachable, Ownership::badGateway);
	}

	private static DockerApiException unexpected(Answer answer) {
		return new DockerApiException(HttpStatus.BAD_GATEWAY,
				"the Docker engine answered " + answer.status() + " to an ownership check");
	}

	private static boolean unreachable(Throwable error) {
		return error instanceof IOException || error instanceof ConnectTimeoutException;
	}

	private static DockerApiException badGateway(Throwable error) {
		return new DockerApiException(HttpStatus.BAD_GATEWAY, "the Docker engine is not reachable right now");
	}

}
