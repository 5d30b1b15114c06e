package berth.isolation;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.handler.codec.http.HttpMethod;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import berth.account.TenantRef;
import berth.backend.BackendTeardown;
import berth.backend.Backends;
import berth.backend.Engine;
import berth.backend.EngineClient;
import berth.backend.EngineClient.Reply;
import berth.web.DockerApiException;

/**
 * Removes a deleted tenant's objects from every shared engine: its containers (forced, with their
 * anonymous volumes), its networks (its default one too), its volumes, then its own image tags, those
 * under {@code berth.local/<tenant>/}. Containers, networks and volumes are found by the owner label
 * alone, so nothing Berth did not create for the tenant is touched (an operator's volume named like
 * one of the tenant's stays). Tags are removed one by one, never an image by ID and never forced: the
 * engine deletes an image only once no other tag and no container holds it, so the shared cache and
 * other tenants' images stay. Each step goes on past a failure so that one stuck object does not hold
 * back the rest; the call then fails with what is left, and the next attempt starts over.
 */
@Component
class SharedEngineTeardown implements BackendTeardown {

	static final String BACKEND = "shared-engine";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** How long one engine call may take; a forced removal kills the container, it does not wait for it. */
	private static final Duration CALL_TIMEOUT = Duration.ofMinutes(2);

	/** The kinds of object removed, in the order they must go: networks and volumes once no container holds them. */
	enum Kind {

		CONTAINERS, NETWORKS, VOLUMES, IMAGES;

		String key() {
			return name().toLowerCase(java.util.Locale.ROOT);
		}

	}

	/** One object to remove: how the engine names it in a DELETE. */
	record Target(Kind kind, String path) {
	}

	private final Backends backends;

	SharedEngineTeardown(Backends backends) {
		this.backends = backends;
	}

	@Override
	public String planBackend() {
		return "shared";
	}

	@Override
	public Mono<TornDown> tearDown(TenantRef tenant) {
		return Mono.defer(() -> {
			List<Engine> shared = backends.engines()
				.stream()
				.filter(engine -> engine.kind() == Engine.Kind.SHARED)
				.toList();
			Map<String, Integer> removed = new LinkedHashMap<>();
			for (Kind kind : Kind.values()) {
				removed.put(kind.key(), 0);
			}
			return Flux.fromIterable(shared)
				.concatMap(engine -> tearDown(engine, tenant))
				.doOnNext(counts -> counts.forEach((kind, count) -> removed.merge(kind.key(), count, Integer::sum)))
				.then(Mono.fromSupplier(() -> new TornDown(BACKEND, removed)));
		});
	}

	private Mono<Map<Kind, Integer>> tearDown(Engine engine, TenantRef tenant) {
		Map<Kind, Integer> removed = new java.util.EnumMap<>(Kind.class);
		List<String> failures = new ArrayList<>();
		return Flux.fromArray(Kind.values())
			.concatMap(kind -> list(engine, tenant, kind).flatMapMany(Flux::fromIterable)
				.concatMap(target -> remove(engine, target).doOnNext(done -> {
					if (done) {
						removed.merge(kind, 1, Integer::sum);
					}
				}).onErrorResume(failure -> {
					failures.add(failure.getMessage());
					return Mono.empty();
				})))
			.then(Flux.fromArray(Kind.values()).concatMap(kind -> list(engine, tenant, kind)).collectList())
			.flatMap(left -> {
				List<Target> remaining = left.stream().flatMap(List::stream).toList();
				if (remaining.isEmpty()) {
					return Mono.just(removed);
				}
				return Mono.error(new IllegalStateException(
						"left on engine " + engine.id() + ": " + describe(remaining) + failures.stream()
							.distinct()
							.limit(5)
							.map(failure -> "; " + failure)
							.reduce("", String::concat)));
			});
	}

	/** The tenant's objects of one kind on the engine, as DELETE paths. */
	private Mono<List<Target>> list(Engine engine, TenantRef tenant, Kind kind) {
		String owned = filter(tenant);
		String path = switch (kind) {
			case CONTAINERS -> "/containers/json?all=1&filters=" + owned;
			case NETWORKS -> "/networks?filters=" + owned;
			case VOLUMES -> "/volumes?filters=" + owned;
			case IMAGES -> "/images/json";
		};
		return call(engine, HttpMethod.GET, path).map(answer -> {
			if (answer.status() != 200) {
				throw new IllegalStateException("engine " + engine.id() + " answered " + answer.status() + " to GET "
						+ path.replaceFirst("\\?.*", "") + ": " + answer.message());
			}
			return targets(kind, tenant, JSON.readTree(answer.body()));
		});
	}

	/**
	 * What to remove of one kind, from the engine's list answer. Lists of containers, networks and
	 * volumes were already narrowed to the owner label by the engine; the label is checked again here,
	 * so that an engine ignoring a filter cannot make Berth remove someone else's objects.
	 */
	static List<Target> targets(Kind kind, TenantRef tenant, JsonNode list) {
		List<Target> targets = new ArrayList<>();
		switch (kind) {
			case CONTAINERS -> list.forEach(container -> {
				if (owned(container.path("Labels"), tenant)) {
					targets.add(new Target(kind, "/containers/" + container.path("Id").asString() + "?force=1&v=1"));
				}
			});
			case NETWORKS -> list.forEach(network -> {
				if (owned(network.path("Labels"), tenant)) {
					targets.add(new Target(kind, "/networks/" + network.path("Id").asString()));
				}
			});
			case VOLUMES -> list.path("Volumes").forEach(volume -> {
				if (owned(volume.path("Labels"), tenant)) {
					targets.add(new Target(kind, "/volumes/" + volume.path("Name").asString()));
				}
			});
			case IMAGES -> {
				String own = ImageNames.RESERVED + "/" + tenant.name() + "/";
				list.forEach(image -> image.path("RepoTags").forEach(tag -> {
					String reference = tag.asString("");
					if (reference.startsWith(own)) {
						targets.add(new Target(kind, "/images/" + reference));
					}
				}));
			}
		}
		return targets;
	}

	private static boolean owned(JsonNode labels, TenantRef tenant) {
		return tenant.name().equals(labels.path(Ownership.OWNER_LABEL).asString(""));
	}

	/** Removes one object: true when removed now, false when it was already gone. */
	private static Mono<Boolean> remove(Engine engine, Target target) {
		return call(engine, HttpMethod.DELETE, target.path()).map(answer -> {
			if (answer.status() / 100 == 2) {
				return true;
			}
			if (answer.status() == 404) {
				return false;
			}
			throw new IllegalStateException("DELETE " + target.path().replaceFirst("\\?.*", "") + ": " + answer.status()
					+ " " + answer.message());
		});
	}

	/** An engine call whose failure names the engine, in words the admin API can show. */
	private static Mono<Reply> call(Engine engine, HttpMethod method, String path) {
		String shown = method + " " + path.replaceFirst("\\?.*", "");
		return EngineClient.call(engine, method, path)
			.timeout(CALL_TIMEOUT, Mono.error(() -> new IllegalStateException(
					"engine " + engine.id() + " gave no answer to " + shown + " within " + CALL_TIMEOUT)))
			.onErrorMap(DockerApiException.class, error -> new IllegalStateException(
					"engine " + engine.id() + ": " + error.getMessage().replaceFirst("^berth: ", ""), error));
	}

	private static String filter(TenantRef tenant) {
		return URLEncoder.encode("{\"label\":[\"" + Ownership.OWNER_LABEL + "=" + tenant.name() + "\"]}",
				StandardCharsets.UTF_8);
	}

	static String describe(List<Target> remaining) {
		Map<Kind, AtomicInteger> counts = new java.util.EnumMap<>(Kind.class);
		remaining.forEach(target -> counts.computeIfAbsent(target.kind(), kind -> new AtomicInteger()).incrementAndGet());
		List<String> parts = new ArrayList<>();
		counts.forEach((kind, count) -> parts.add(count.get() + " " + kind.key()));
		return String.join(", ", parts);
	}

}
