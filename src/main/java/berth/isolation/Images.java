package berth.isolation;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

import io.netty.handler.codec.http.HttpMethod;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import berth.account.TenantRef;
import berth.backend.Backends;
import berth.backend.Engine;
import berth.backend.EngineClient;
import berth.policy.Endpoints;
import berth.policy.ImageSources;
import berth.policy.Policy;
import berth.web.DockerApiException;
import berth.web.EngineError;

/**
 * Images on a shared engine. Tags pulled from registries are a shared, read-only cache; everything a
 * tenant names itself (build, tag, load, import, commit, and a record of each of its pulls) is tagged
 * in the tenant's namespace ({@link ImageNames}), which shadows the shared names for that tenant only.
 * A tenant may use an image that carries one of its own tags or a shared tag; any other image, by
 * name, ID, ID prefix or digest, is answered exactly like a missing one. An image pulled with
 * registry credentials keeps no shared tag, so only the tenant that pulled it can use it.
 */
@Component
public class Images {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final Pattern HEX = Pattern.compile("(sha256:)?[0-9a-f]{1,64}");

	/** What the gateway does with an image request. */
	public record Plan(String target, @Nullable Answer answer, boolean decodeNames,
			@Nullable Function<Boolean, Mono<Void>> after, @Nullable ArchiveRewriter archive,
			@Nullable ArchiveRewriter savedArchive) {

		Plan(String target, @Nullable Answer answer, boolean decodeNames,
				@Nullable Function<Boolean, Mono<Void>> after) {
			this(target, answer, decodeNames, after, null, null);
		}

		Plan(String target, @Nullable Answer answer, boolean decodeNames,
				@Nullable Function<Boolean, Mono<Void>> after, @Nullable ArchiveRewriter archive) {
			this(target, answer, decodeNames, after, archive, null);
		}

		/** A save: the archive the engine sends back names images as the tenant knows them. */
		static Plan save(String target, String tenant) {
			return new Plan(target, null, false, null, null,
					ArchiveRewriter.load(name -> ImageNames.decode(tenant, name).orElse(name)));
		}

		static Plan forward(String target, boolean decodeNames) {
			return new Plan(target, null, decodeNames, null);
		}

		static Plan answer(int status, byte[] json) {
			return new Plan("", new Answer(status, json), false, null);
		}

	}

	/** An answer Berth gives itself. */
	public record Answer(int status, byte[] json) {
	}

	/** An image the tenant may use, and how to name it to the engine. */
	public record Resolved(String engineReference, String id, JsonNode inspect, boolean own) {
	}

	private record Reply(int status, byte[] body) {

		JsonNode json() {
			return JSON.readTree(body);
		}

	}

	private final Backends backends;

	private final ImageSources sources;

	Images(Backends backends, ImageSources sources) {
		this.backends = backends;
		this.sources = sources;
	}

	/** Whether {@link #plan} handles this endpoint. */
	public static boolean handles(String method, String rawPath) {
		return switch (Policy.endpoint(method, Endpoints.template(rawPath)).isolation()) {
			case IMAGES, COMMITTED -> true;
			default -> false;
		};
	}

	/**
	 * The plan for an image request whose target the other isolation checks already produced.
	 *
	 * @param registryAuth the {@code X-Registry-Auth} header, or null
	 */
	public Mono<Plan> plan(TenantRef tenant, String method, String target, @Nullable String registryAuth) {
		int q = target.indexOf('?');
		String rawPath = q < 0 ? target : target.substring(0, q);
		Query query = Query.parse(q < 0 ? null : target.substring(q + 1));
		String template = Endpoints.template(rawPath);
		String unversioned = Endpoints.unversioned(rawPath);
		String version = rawPath.substring(0, rawPath.length() - unversioned.length());
		String t = tenant.name();
		return backends.engineFor(tenant).flatMap(engine -> switch (method + " " + template) {
			case "GET /images/json" -> list(engine, t, version, query);
			case "POST /images/prune" -> prune(engine, t, version, query);
			case "GET /images/{name}/json" -> resolve(engine, t, nameIn(unversioned, true))
				.map(r -> Plan.answer(200, JSON.writeValueAsBytes(inspected(t, r.inspect()))));
			case "GET /images/{name}/history" -> resolve(engine, t, nameIn(unversioned, true))
				.flatMap(r -> call(engine, HttpMethod.GET, version + "/images/" + r.id() + "/history"))
				.map(reply -> Plan.answer(reply.status(), reply.status() == 200
						? JSON.writeValueAsBytes(history(t, reply.json())) : reply.body()));
			case "POST /images/{name}/tag" -> resolve(engine, t, nameIn(unversioned, true)).map(r -> {
				ImageNames.Ref to = ownRef(query.first("repo"), query.first("tag"));
				String repo = ImageNames.engineRepository(t, to);
				return Plan.forward(version + "/images/" + r.id() + "/tag?"
						+ Query.parse(query.with("repo", repo)).with("tag", to.withDefaultTag().tag()), false);
			});
			case "DELETE /images/{name}" -> remove(engine, t, version, nameIn(unversioned, false), query);
			case "POST /images/{name}/push" -> push(engine, t, version, nameIn(unversioned, true), query);
			case "GET /images/{name}/get" -> resolve(engine, t, nameIn(unversioned, true))
				.map(r -> Plan.save(version + "/images/" + r.engineReference() + "/get", t));
			case "GET /images/get" -> Flux.fromIterable(query.all("names"))
				.concatMap(name -> resolve(engine, t, name).map(Resolved::engineReference))
				.collectList()
				.map(names -> Plan.save(rawPath + "?" + query.withAll("names", names), t));
			case "POST /images/create" -> create(engine, t, rawPath, query, registryAuth);
			case "POST /build" -> Mono.fromCallable(() -> {
				List<String> tags = new ArrayList<>();
				for (String given : query.all("t")) {
					tags.add(ImageNames.engineTag(t, ownRef(given, null)));
				}
				if (tags.isEmpty()) {
					tags.add(ImageNames.unnamedRepository(t) + ":latest");
				}
				String dockerfile = query.first("dockerfile");
				Map<String, String> buildArgs = buildArgs(query.first("buildargs"));
				ArchiveRewriter context = ArchiveRewriter.build(
						dockerfile == null || dockerfile.isEmpty() ? "Dockerfile" : dockerfile,
						content -> DockerfileImages.rewrite(content, buildArgs, ref -> buildReference(engine, t, ref)));
				Query tagged = Query.parse(query.withAll("t", tags));
				return cacheFrom(engine, t, query.first("cachefrom")).map(images -> new Plan(rawPath + "?"
						+ (images.isEmpty() ? tagged.without("cachefrom") : tagged.with("cachefrom", images)), null, true,
						null, context));
			}).flatMap(plan -> plan);
			case "POST /commit" -> Mono.fromCallable(() -> named(t, rawPath, query));
			case "POST /images/load" ->
				Mono.just(new Plan(target, null, true, null, ArchiveRewriter.load(name -> loadedName(t, name))));
			default -> Mono.just(Plan.forward(target, false));
		});
	}

	/**
	 * The image a tenant's reference names, if the tenant may use it: its own tag first (shadowing),
	 * then the shared cache; by ID, prefix or digest only an image it may use. Otherwise the engine's
	 * {@code No such image} 404.
	 */
	public Mono<Resolved> resolve(TenantRef tenant, String reference) {
		return backends.engineFor(tenant).flatMap(engine -> resolve(engine, tenant.name(), reference));
	}

	private Mono<Resolved> resolve(Engine engine, String tenant, String reference) {
		Optional<ImageNames.Ref> ref = ImageNames.parse(reference);
		EngineError missing = missing(reference, ref);
		if (reference.isEmpty() || ImageNames.reserved(reference)
				|| (ref.isEmpty() && !HEX.matcher(reference).matches())) {
			return Mono.error(missing);
		}
		Mono<Resolved> shared = inspect(engine, reference).flatMap(reply -> {
			if (reply.status() != 200) {
				return Mono.error(reply.status() / 100 == 4 ? missing : unexpected(reply));
			}
			JsonNode json = reply.json();
			if (!usable(tenant, json.path("RepoTags"))) {
				return Mono.error(missing);
			}
			String id = json.path("Id").asString("");
			// an ID or prefix is pinned to the full ID checked; a shared name stays (tenants cannot move it)
			return Mono.just(new Resolved(HEX.matcher(reference).matches() ? id : reference, id, json, false));
		});
		if (ref.isEmpty() || ref.get().digest() != null) {
			return shared;
		}
		String own;
		try {
			own = ImageNames.engineTag(tenant, ref.get());
		}
		catch (DockerApiException e) {
			return shared;
		}
		return inspect(engine, own).flatMap(reply -> {
			if (reply.status() == 200) {
				JsonNode json = reply.json();
				return Mono.just(new Resolved(own, json.path("Id").asString(""), json, true));
			}
			return reply.status() / 100 == 4 ? shared : Mono.error(unexpected(reply));
		});
	}

	/**
	 * What the builder gets for an image a Dockerfile names: the tenant's own tag, or a shared image it
	 * may use; a name the engine does not have stays as written (the builder pulls it); an image that
	 * is there but not the tenant's to use is refused like a missing one.
	 */
	private Mono<String> buildReference(Engine engine, String tenant, String reference) {
		return resolve(engine, tenant, reference).map(Resolved::engineReference)
			.onErrorResume(EngineError.class, missing -> {
				if (reference.isEmpty() || ImageNames.reserved(reference)) {
					return Mono.error(missing);
				}
				// not on the engine: the engine will pull it, from a registry held to the policy like a pull's
				return inspect(engine, reference).flatMap(reply -> reply.status() == 200 ? Mono.error(missing)
						: reply.status() / 100 == 4 ? sources.check(tenant, "POST /build", reference).thenReturn(reference)
						: Mono.error(unexpected(reply)));
			});
	}

	/**
	 * A build's {@code cachefrom} images, named for the engine as a Dockerfile's are: the tenant's own
	 * tag, or a shared image it may use. One it may not use, or that does not exist, is left out, as
	 * the builder leaves out a cache source it cannot find. Empty when none was given.
	 */
	private Mono<String> cacheFrom(Engine engine, String tenant, @Nullable String json) {
		if (json == null || json.isBlank()) {
			return Mono.just("");
		}
		List<String> given = new ArrayList<>();
		try {
			for (JsonNode image : JSON.readTree(json)) {
				given.add(image.asString(""));
			}
		}
		catch (JacksonException e) {
			return Mono.error(new DockerApiException(HttpStatus.BAD_REQUEST, "invalid cachefrom"));
		}
		return Flux.fromIterable(given)
			.concatMap(image -> resolve(engine, tenant, image).map(Resolved::engineReference)
				.onErrorResume(EngineError.class, missing -> Mono.empty()))
			.collectList()
			.map(images -> {
				if (images.isEmpty()) {
					return "";
				}
				ArrayNode list = JSON.createArrayNode();
				images.forEach(list::add);
				return JSON.writeValueAsString(list);
			});
	}

	private static Map<String, String> buildArgs(@Nullable String json) {
		Map<String, String> args = new java.util.HashMap<>();
		if (json == null || json.isBlank()) {
			return args;
		}
		try {
			for (var entry : JSON.readTree(json).properties()) {
				if (entry.getValue().isString()) {
					args.put(entry.getKey(), entry.getValue().asString());
				}
			}
		}
		catch (JacksonException e) {
			throw new DockerApiException(HttpStatus.BAD_REQUEST, "invalid buildargs");
		}
		return args;
	}

	/** An image with one of the tenant's tags, or a shared tag, is the tenant's to use. */
	static boolean usable(String tenant, JsonNode repoTags) {
		for (JsonNode tag : repoTags) {
			Optional<String> owner = ImageNames.owner(tag.asString(""));
			if (owner.isEmpty() || owner.get().equals(tenant)) {
				return true;
			}
		}
		return false;
	}

	/** Whether one of an image's tags is the tenant's tag of an image it did not name. */
	static boolean unnamed(String tenant, JsonNode repoTags) {
		for (JsonNode tag : repoTags) {
			if (ImageNames.unnamedOf(tenant, tag.asString(""))) {
				return true;
			}
		}
		return false;
	}

	/** The names of an image as the tenant knows them: its own tags decoded, and the shared ones. */
	static List<String> tenantTags(String tenant, JsonNode repoTags, boolean withShared) {
		Set<String> names = new LinkedHashSet<>();
		for (JsonNode node : repoTags) {
			String tag = node.asString("");
			Optional<String> own = ImageNames.decode(tenant, tag);
			if (own.isPresent()) {
				names.add(own.get());
			}
			else if (withShared && ImageNames.owner(tag).isEmpty()) {
				names.add(tag);
			}
		}
		return new ArrayList<>(names);
	}

	static JsonNode inspected(String tenant, JsonNode inspect) {
		ObjectNode copy = (ObjectNode) inspect.deepCopy();
		ArrayNode tags = copy.putArray("RepoTags");
		tenantTags(tenant, inspect.path("RepoTags"), true).forEach(tags::add);
		ArrayNode digests = copy.putArray("RepoDigests");
		for (JsonNode digest : inspect.path("RepoDigests")) {
			if (!ImageNames.reserved(digest.asString(""))) {
				digests.add(digest);
			}
		}
		// a committed image's configs are the container's: its image as the tenant named it, no Berth labels
		for (String config : List.of("Config", "ContainerConfig")) {
			if (copy.get(config) instanceof ObjectNode object) {
				committedFrom(tenant, object);
			}
		}
		return copy;
	}

	private static void committedFrom(String tenant, ObjectNode config) {
		JsonNode given = config.path("Labels").get(ImageRules.GIVEN_LABEL);
		if (config.get("Image") instanceof JsonNode image && image.isString()) {
			config.put("Image", given != null && given.isString() ? given.stringValue()
					: ImageNames.shown(tenant, image.stringValue()).orElse(image.stringValue()));
		}
		if (config.get("Labels") instanceof ObjectNode labels) {
			labels.properties().removeIf(label -> TenantView.hidden(label.getKey()));
		}
	}

	static JsonNode history(String tenant, JsonNode history) {
		JsonNode copy = history.deepCopy();
		for (int i = 0; i < copy.size(); i++) {
			if (copy.get(i) instanceof ObjectNode layer && layer.path("Tags").isArray()) {
				ArrayNode tags = layer.putArray("Tags");
				tenantTags(tenant, history.get(i).path("Tags"), true).forEach(tags::add);
			}
		}
		return copy;
	}

	/**
	 * {@code docker images}: the images carrying the tenant's own tags, under its names. Shared images
	 * it never pulled are not listed. A {@code reference} filter is applied to the tenant's names.
	 */
	private Mono<Plan> list(Engine engine, String tenant, String version, Query query) {
		String given = query.first("filters");
		Map<String, Set<String>> filters = Filters.parse(given);
		List<Pattern> references = new ArrayList<>();
		for (String pattern : filters.getOrDefault("reference", Set.of())) {
			references.add(glob(pattern));
		}
		filters.remove("reference");
		// dangling means no name for the tenant: its <none> images (the engine's would be nobody's)
		Set<String> dangling = filters.remove("dangling");
		Boolean unnamedOnly = dangling == null ? null : dangling.contains("true") || dangling.contains("1");
		// before and since name images: resolved like any image the tenant names, never looked up engine-wide
		Map<String, Set<String>> pins = new LinkedHashMap<>();
		for (String key : List.of("before", "since")) {
			Set<String> values = filters.remove(key);
			if (values != null) {
				pins.put(key, values);
			}
		}
		return Flux.fromIterable(pins.entrySet())
			.concatMap(pin -> {
				Set<String> ids = new LinkedHashSet<>();
				filters.put(pin.getKey(), ids);
				return Flux.fromIterable(pin.getValue())
					.concatMap(reference -> resolve(engine, tenant, reference))
					.doOnNext(resolved -> ids.add(resolved.id()));
			})
			.then(Mono.defer(() -> {
				String forwarded = given == null ? query.raw() : query.with("filters", Filters.write(filters));
				return call(engine, HttpMethod.GET, version + "/images/json?" + forwarded);
			}))
			.map(reply -> {
				if (reply.status() != 200) {
					return Plan.answer(reply.status(), reply.body());
				}
				ArrayNode out = JSON.createArrayNode();
				for (JsonNode image : reply.json()) {
					List<String> tags = tenantTags(tenant, image.path("RepoTags"), false);
					// an image the tenant made without naming it, and has not named since, shows as <none>
					boolean unnamed = tags.isEmpty() && references.isEmpty() && unnamed(tenant, image.path("RepoTags"));
					if (!references.isEmpty()) {
						tags = tags.stream().filter(tag -> references.stream().anyMatch(p -> matches(p, tag))).toList();
					}
					if ((tags.isEmpty() && !unnamed) || (unnamedOnly != null && unnamedOnly != unnamed)) {
						continue;
					}
					ObjectNode copy = (ObjectNode) image.deepCopy();
					if (copy.get("Labels") instanceof ObjectNode labels) {
						labels.properties().removeIf(label -> TenantView.hidden(label.getKey()));
					}
					ArrayNode repoTags = copy.putArray("RepoTags");
					tags.forEach(repoTags::add);
					ArrayNode digests = copy.putArray("RepoDigests");
					for (JsonNode digest : image.path("RepoDigests")) {
						if (!ImageNames.reserved(digest.asString(""))) {
							digests.add(digest);
						}
					}
					if (unnamed) {
						// as the engine lists an untagged image
						repoTags.add("<none>:<none>");
						if (digests.isEmpty()) {
							digests.add("<none>@<none>");
						}
					}
					out.add(copy);
				}
				return Plan.answer(200, JSON.writeValueAsBytes(out));
			});
	}

	/**
	 * {@code docker image prune}: the tenant's own images that none of its containers uses. By default
	 * (the CLI's {@code dangling=true}) those it knows by no name, {@code <none>}; with {@code -a}
	 * ({@code dangling=false}) the named ones too. The tenant's tags are what goes: the engine deletes
	 * an image once no tag (a shared one, or another tenant's) holds it, so the shared cache stays.
	 * {@code label} filters go to the engine's list; any other filter ({@code until} too) is refused.
	 * The space reclaimed counts what the deleted images do not share with others where the engine
	 * reports shared sizes (API 1.42 and later), their whole size before that.
	 */
	private Mono<Plan> prune(Engine engine, String tenant, String version, Query query) {
		Map<String, Set<String>> filters = Filters.parse(query.first("filters"));
		for (String key : filters.keySet()) {
			if (!List.of("dangling", "label", "label!").contains(key)) {
				// worded as the engine's own refusal, and why
				return Mono.error(new DockerApiException(HttpStatus.BAD_REQUEST, "invalid filter '" + key
						+ "': an image prune through Berth takes dangling and label filters only"));
			}
		}
		Set<String> dangling = filters.remove("dangling");
		for (String value : dangling == null ? Set.<String>of() : dangling) {
			if (!List.of("true", "false", "1", "0").contains(value)) {
				return Mono.error(new DockerApiException(HttpStatus.BAD_REQUEST, "invalid filter 'dangling=" + value + "'"));
			}
		}
		boolean unnamedOnly = dangling == null || dangling.contains("true") || dangling.contains("1");
		String listed = version + "/images/json?shared-size=1"
				+ (filters.isEmpty() ? "" : "&" + param("filters", Filters.write(filters)));
		String containers = version + "/containers/json?all=1&" + param("filters", Filters.scoped(null, tenant));
		return Mono.zip(call(engine, HttpMethod.GET, listed), call(engine, HttpMethod.GET, containers))
			.flatMap(replies -> {
				Reply images = replies.getT1();
				Reply used = replies.getT2();
				if (images.status() != 200) {
					return Mono.just(Plan.answer(images.status(), images.body()));
				}
				if (used.status() != 200) {
					return Mono.error(unexpected(used));
				}
				Set<String> inUse = new HashSet<>();
				used.json().forEach(container -> inUse.add(container.path("ImageID").asString("")));
				Map<String, Long> sizes = new HashMap<>();
				List<String> tags = new ArrayList<>();
				for (JsonNode image : images.json()) {
					String id = image.path("Id").asString("");
					if (inUse.contains(id) || (unnamedOnly && !tenantTags(tenant, image.path("RepoTags"), false).isEmpty())) {
						continue;
					}
					for (JsonNode tag : image.path("RepoTags")) {
						if (ImageNames.ownedBy(tenant, tag.asString(""))) {
							tags.add(tag.asString(""));
							// what deleting it frees: the layers no other image shares
							sizes.put(id, Math.max(0, image.path("Size").asLong(0) - Math.max(0, image.path("SharedSize").asLong(0))));
						}
					}
				}
				return Flux.fromIterable(tags)
					.concatMap(tag -> call(engine, HttpMethod.DELETE, version + "/images/" + tag + "?noprune=0"))
					.collectList()
					.map(deletions -> Plan.answer(200, pruned(tenant, deletions, sizes)));
			});
	}

	/** A prune's answer from the deletions it made; an image in use elsewhere (a conflict) is skipped. */
	private static byte[] pruned(String tenant, List<Reply> deletions, Map<String, Long> sizes) {
		ArrayNode deleted = JSON.createArrayNode();
		long reclaimed = 0;
		for (Reply deletion : deletions) {
			if (deletion.status() != 200) {
				continue;
			}
			for (JsonNode entry : shownDeletions(tenant, deletion.json())) {
				deleted.add(entry);
				reclaimed += sizes.getOrDefault(entry.path("Deleted").asString(""), 0L);
			}
		}
		ObjectNode answer = JSON.createObjectNode();
		if (deleted.isEmpty()) {
			answer.putNull("ImagesDeleted");
		}
		else {
			answer.set("ImagesDeleted", deleted);
		}
		answer.put("SpaceReclaimed", reclaimed);
		return decode(tenant, JSON.writeValueAsBytes(answer));
	}

	/**
	 * The entries of an image deletion the tenant is shown: an unnamed image's tag is nothing it knows,
	 * so only that image's deletion shows.
	 */
	private static List<JsonNode> shownDeletions(String tenant, JsonNode entries) {
		List<JsonNode> shown = new ArrayList<>();
		for (JsonNode entry : entries) {
			if (!ImageNames.unnamedOf(tenant, entry.path("Untagged").asString(""))) {
				shown.add(entry);
			}
		}
		return shown;
	}

	private static boolean matches(Pattern pattern, String tag) {
		int colon = tag.lastIndexOf(':');
		return pattern.matcher(tag).matches() || pattern.matcher(tag.substring(0, colon)).matches();
	}

	/** A {@code path.Match} pattern as a regular expression. */
	static Pattern glob(String pattern) {
		StringBuilder regex = new StringBuilder();
		for (char c : pattern.toCharArray()) {
			switch (c) {
				case '*' -> regex.append("[^/]*");
				case '?' -> regex.append("[^/]");
				default -> regex.append(Pattern.quote(String.valueOf(c)));
			}
		}
		return Pattern.compile(regex.toString());
	}

	/**
	 * {@code docker rmi}: removes the tenant's own tag, never a shared one. By ID or prefix, every tag
	 * of the tenant's on that image is removed. The engine deletes the image only when no other tag
	 * (another tenant's, or a shared one) and no container holds it.
	 */
	private Mono<Plan> remove(Engine engine, String tenant, String version, String reference, Query query) {
		return resolve(engine, tenant, reference).flatMap(r -> {
			List<String> own = new ArrayList<>();
			if (r.own()) {
				own.add(r.engineReference());
			}
			else if (HEX.matcher(reference).matches() || reference.contains("@")) {
				for (JsonNode tag : r.inspect().path("RepoTags")) {
					if (ImageNames.ownedBy(tenant, tag.asString(""))) {
						own.add(tag.asString(""));
					}
				}
			}
			if (own.isEmpty()) {
				return Mono.error(new EngineError(HttpStatus.CONFLICT, "conflict: unable to remove reference "
						+ reference + ": it is in the shared image cache, not one of your images"));
			}
			String params = query.with("noprune", query.first("noprune") == null ? "0" : query.first("noprune"));
			return Flux.fromIterable(own)
				.concatMap(tag -> call(engine, HttpMethod.DELETE, version + "/images/" + tag + "?" + params))
				.collectList()
				.map(replies -> {
					ArrayNode out = JSON.createArrayNode();
					for (Reply reply : replies) {
						if (reply.status() != 200) {
							return Plan.answer(reply.status(), decode(tenant, reply.body()));
						}
						shownDeletions(tenant, reply.json()).forEach(out::add);
					}
					return Plan.answer(200, decode(tenant, JSON.writeValueAsBytes(out)));
				});
		});
	}

	/**
	 * {@code docker push}: the engine pushes by the real name, so the tenant's image is tagged with it
	 * for the push and untagged after. Refused when that real name is a shared tag of another image.
	 */
	private Mono<Plan> push(Engine engine, String tenant, String version, String name, Query query) {
		String tag = query.first("tag");
		ImageNames.Ref ref = ownRef(name, tag == null || tag.isEmpty() ? null : tag).withDefaultTag();
		String real = ref.toString();
		String own = ImageNames.engineTag(tenant, ref);
		EngineError missing = new EngineError(HttpStatus.NOT_FOUND,
				"An image does not exist locally with the tag: " + ref.repository());
		String target = version + "/images/" + ref.repository() + "/push?" + query.with("tag", ref.tag());
		return inspect(engine, own).flatMap(mine -> {
			if (mine.status() != 200) {
				return Mono.error(mine.status() / 100 == 4 ? missing : unexpected(mine));
			}
			String id = mine.json().path("Id").asString("");
			return inspect(engine, real).flatMap(shared -> {
				if (shared.status() == 200) {
					if (!shared.json().path("Id").asString("").equals(id)) {
						return Mono.error(new DockerApiException(HttpStatus.CONFLICT, "the shared image cache holds "
								+ "another image named " + real + "; it cannot be pushed from here right now"));
					}
					return Mono.just(Plan.forward(target, false));
				}
				Mono<Void> untag = call(engine, HttpMethod.DELETE, "/images/" + real + "?noprune=1").then();
				return call(engine, HttpMethod.POST,
						"/images/" + id + "/tag?" + param("repo", ref.repository()) + "&" + param("tag", ref.tag()))
					.flatMap(reply -> reply.status() / 100 == 2 ? Mono.just(new Plan(target, null, false, failed -> untag))
							: Mono.error(unexpected(reply)));
			});
		});
	}

	/** Pull ({@code fromImage}) or import ({@code fromSrc}). */
	private Mono<Plan> create(Engine engine, String tenant, String rawPath, Query query, @Nullable String registryAuth) {
		String fromImage = query.first("fromImage");
		if (fromImage == null || fromImage.isEmpty()) {
			return Mono.fromCallable(() -> named(tenant, rawPath, query));
		}
		String tag = query.first("tag");
		String given = fromImage
				+ (tag == null || tag.isEmpty() ? "" : (tag.contains(":") ? "@" : ":") + tag);
		Optional<ImageNames.Ref> parsed = ImageNames.parse(given);
		if (parsed.isEmpty() || ImageNames.reserved(fromImage)) {
			return Mono.error(new DockerApiException(HttpStatus.BAD_REQUEST, "invalid reference format: " + given));
		}
		ImageNames.Ref ref = parsed.get().withDefaultTag();
		String target = rawPath + "?" + rawQuery(query);
		if (ref.tag() == null) {
			// by digest: nothing to tag; a tenant uses such an image by its digest or ID while it is shared
			return Mono.just(Plan.forward(target, false));
		}
		String real = ref.toString();
		String own = ImageNames.engineTag(tenant, ref);
		boolean credentialed = credentialed(registryAuth);
		Mono<String> before = credentialed
				? inspect(engine, real).map(reply -> reply.status() == 200 ? reply.json().path("Id").asString("") : "")
				: Mono.just("");
		return before.map(previous -> new Plan(target, null, false, failed -> failed ? Mono.empty()
				: afterPull(engine, ref, own, credentialed, previous)));
	}

	/**
	 * After a successful pull: the pulled tag is recorded in the tenant's namespace. A pull with
	 * credentials leaves no new shared tag, and a shared tag it moved is put back.
	 */
	private Mono<Void> afterPull(Engine engine, ImageNames.Ref ref, String own, boolean credentialed, String previous) {
		String real = ref.toString();
		int colon = own.lastIndexOf(':');
		Mono<Void> record = call(engine, HttpMethod.POST, "/images/" + real + "/tag?" + param("repo", own.substring(0, colon)) + "&"
				+ param("tag", own.substring(colon + 1)))
			.flatMap(reply -> reply.status() / 100 == 2 ? Mono.empty() : Mono.error(unexpected(reply)));
		if (!credentialed) {
			return record;
		}
		Mono<Void> unshare = previous.isEmpty()
				? call(engine, HttpMethod.DELETE, "/images/" + real + "?noprune=1").then()
				: call(engine, HttpMethod.POST,
						"/images/" + previous + "/tag?" + param("repo", ref.repository()) + "&" + param("tag", ref.tag()))
					.then();
		return record.then(unshare);
	}

	/**
	 * The engine-side name of an image name inside a loaded archive: always in the loading tenant's
	 * namespace, whatever the archive says (a shared name, or another tenant's engine-side name).
	 */
	static String loadedName(String tenant, String name) {
		String familiar = ImageNames.decodeAny(name).orElse(name);
		Optional<ImageNames.Ref> ref = ImageNames.parse(familiar);
		if (ref.isEmpty() || ref.get().digest() != null || ImageNames.reserved(familiar)) {
			throw new DockerApiException(HttpStatus.BAD_REQUEST,
					"the archive names an image " + name + " that cannot be loaded through Berth");
		}
		return ImageNames.engineTag(tenant, ref.get());
	}

	/** Whether an {@code X-Registry-Auth} header carries credentials (not just an empty config). */
	static boolean credentialed(@Nullable String registryAuth) {
		if (registryAuth == null || registryAuth.isBlank()) {
			return false;
		}
		try {
			String padded = registryAuth.trim();
			byte[] decoded = padded.contains("+") || padded.contains("/") ? Base64.getDecoder().decode(padded)
					: Base64.getUrlDecoder().decode(padded.replace("=", ""));
			JsonNode json = JSON.readTree(decoded);
			for (String key : List.of("username", "password", "auth", "identitytoken", "registrytoken")) {
				if (!json.path(key).asString("").isEmpty()) {
					return true;
				}
			}
			return false;
		}
		catch (RuntimeException e) {
			// unreadable: treat as credentials, the safe side
			return true;
		}
	}

	/**
	 * Commit and import: the new image's {@code repo} and {@code tag} go to the tenant's namespace; an
	 * image given no repository gets an unnamed image's tag, which keeps it the tenant's.
	 */
	private static Plan named(String tenant, String rawPath, Query query) {
		String repo = query.first("repo");
		if (repo == null || repo.isEmpty()) {
			String unnamed = Query.parse(query.with("repo", ImageNames.unnamedRepository(tenant))).with("tag", "latest");
			return Plan.forward(rawPath + "?" + unnamed, false);
		}
		String tag = query.first("tag");
		ImageNames.Ref ref = ownRef(repo, tag == null || tag.isEmpty() ? null : tag).withDefaultTag();
		String rewritten = Query.parse(query.with("repo", ImageNames.engineRepository(tenant, ref)))
			.with("tag", ref.tag());
		return Plan.forward(rawPath + "?" + rewritten, false);
	}

	private static String rawQuery(Query query) {
		return query.raw();
	}

	private static String param(String key, @Nullable String value) {
		return key + "=" + java.net.URLEncoder.encode(value == null ? "" : value, StandardCharsets.UTF_8);
	}

	/** A name a tenant gives its own image, with an optional separate tag. */
	private static ImageNames.Ref ownRef(@Nullable String repo, @Nullable String tag) {
		String given = (repo == null ? "" : repo) + (tag == null || tag.isEmpty() ? "" : ":" + tag);
		Optional<ImageNames.Ref> ref = ImageNames.parse(given);
		if (ref.isEmpty() || ref.get().digest() != null) {
			throw new DockerApiException(HttpStatus.BAD_REQUEST, "invalid reference format: " + given);
		}
		if (ImageNames.reserved(given)) {
			throw new DockerApiException(HttpStatus.FORBIDDEN, "names under " + ImageNames.RESERVED
					+ " are reserved for Berth");
		}
		return ref.get();
	}

	/** The name in {@code /images/{name}} or {@code /images/{name}/<action>}. */
	private static String nameIn(String unversioned, boolean hasAction) {
		String name = unversioned.substring("/images/".length());
		return hasAction ? name.substring(0, name.lastIndexOf('/')) : name;
	}

	private static EngineError missing(String reference, Optional<ImageNames.Ref> ref) {
		String shown = ref.isPresent() && !HEX.matcher(reference).matches() ? ref.get().withDefaultTag().toString()
				: reference;
		return new EngineError(HttpStatus.NOT_FOUND, "No such image: " + shown);
	}

	private static byte[] decode(String tenant, byte[] json) {
		return ImageNames.decodeAll(tenant, new String(json, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
	}

	private static Mono<Reply> inspect(Engine engine, String reference) {
		return call(engine, HttpMethod.GET, "/images/" + reference + "/json");
	}

	private static Mono<Reply> call(Engine engine, HttpMethod method, String uri) {
		return EngineClient.call(engine, method, uri)
			.map(reply -> new Reply(reply.status(), reply.body()));
	}

	private static DockerApiException unexpected(Reply reply) {
		return new DockerApiException(HttpStatus.BAD_GATEWAY,
				"the Docker engine answered " + reply.status() + " to an image lookup");
	}

}
