package berth.isolation;

import java.util.HashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import berth.account.TenantRef;
import berth.backend.Backends;
import berth.backend.Engine;
import berth.backend.EngineClient;
import berth.policy.Endpoint;
import berth.policy.Endpoints;
import berth.policy.Policy;

/**
 * The engine-wide summaries, {@code GET /info} and {@code GET /system/df}, as one tenant's private
 * engine would give them: the container and image counts of {@code info} are the tenant's, and
 * {@code df} lists only the tenant's containers and volumes, the images its containers use, and no
 * build cache (the shared builder's cache belongs to nobody in particular). Everything else in
 * {@code info} (engine version, kernel, limits) is the engine's and passes unchanged.
 */
@Component
public class Summaries {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final Backends backends;

	Summaries(Backends backends) {
		this.backends = backends;
	}

	/** Whether Berth answers this request itself from {@link #answer}. */
	public static boolean summarises(String method, String rawPath) {
		return Policy.endpoint(method, Endpoints.template(rawPath)).isolation() == Endpoint.Isolation.SUMMARY;
	}

	/** The tenant's view of {@code GET /info} or {@code GET /system/df}, as JSON bytes. */
	public Mono<byte[]> answer(TenantRef tenant, String rawPath, @Nullable String rawQuery) {
		boolean info = Endpoints.template(rawPath).equals("/info");
		return backends.engineFor(tenant).flatMap(engine -> {
			Mono<JsonNode> summary = get(engine, rawPath + (rawQuery == null ? "" : "?" + rawQuery));
			if (!info) {
				return summary.map(df -> df(df, tenant.name()));
			}
			String owned = Filters.scoped(null, tenant.name());
			Mono<JsonNode> containers = get(engine, "/containers/json?all=1&filters="
					+ java.net.URLEncoder.encode(owned, java.nio.charset.StandardCharsets.UTF_8));
			return Mono.zip(summary, containers).map(both -> info(both.getT1(), both.getT2()));
		}).map(JSON::writeValueAsBytes);
	}

	/** {@code info} with the tenant's counts, from the tenant's containers (an {@code all=1} list). */
	static JsonNode info(JsonNode engineInfo, JsonNode containers) {
		if (!(engineInfo.deepCopy() instanceof ObjectNode info)) {
			return engineInfo;
		}
		int running = 0;
		int paused = 0;
		int stopped = 0;
		java.util.Set<String> images = new java.util.HashSet<>();
		for (JsonNode container : containers) {
			switch (container.path("State").asString("")) {
				case "running" -> running++;
				case "paused" -> paused++;
				default -> stopped++;
			}
			images.add(container.path("ImageID").asString(""));
		}
		images.remove("");
		info.put("Containers", running + paused + stopped);
		info.put("ContainersRunning", running);
		info.put("ContainersPaused", paused);
		info.put("ContainersStopped", stopped);
		info.put("Images", images.size());
		return info;
	}

	/** {@code df} narrowed to what the tenant owns or uses. */
	static JsonNode df(JsonNode engineDf, String tenant) {
		if (!(engineDf.deepCopy() instanceof ObjectNode df)) {
			return engineDf;
		}
		Map<String, Integer> usedImages = new HashMap<>();
		if (df.get("Containers") instanceof ArrayNode containers) {
			containers.removeIf(container -> !owned(container, tenant));
			containers.forEach(container -> usedImages.merge(container.path("ImageID").asString(""), 1, Integer::sum));
		}
		if (df.get("Volumes") instanceof ArrayNode volumes) {
			volumes.removeIf(volume -> !owned(volume, tenant));
		}
		if (df.get("Images") instanceof ArrayNode images) {
			images.removeIf(image -> !usedImages.containsKey(image.path("Id").asString("")));
			long layers = 0;
			for (JsonNode image : images) {
				((ObjectNode) image).put("Containers", usedImages.get(image.path("Id").asString("")));
				// the names the tenant knows the image by; never another tenant's engine-side tags
				java.util.List<String> names = Images.tenantTags(tenant, image.path("RepoTags"), true);
				ArrayNode tags = ((ObjectNode) image).putArray("RepoTags");
				names.forEach(tags::add);
				layers += Math.max(0, image.path("Size").asLong(0));
			}
			df.put("LayersSize", layers);
		}
		if (df.get("BuildCache") instanceof ArrayNode cache) {
			cache.removeAll();
		}
		return df;
	}

	private static boolean owned(JsonNode object, String tenant) {
		return tenant.equals(object.path("Labels").path(Ownership.OWNER_LABEL).asString(""));
	}

	private static Mono<JsonNode> get(Engine engine, String target) {
		return EngineClient.json(engine, target);
	}

}
