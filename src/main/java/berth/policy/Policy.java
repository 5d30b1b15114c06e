package berth.policy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.node.ObjectNode;

import berth.account.TenantRef;
import berth.web.EngineAnswer;

/**
 * The security policy's entry point, used by the gateway for ordinary requests and for hijacked
 * ones alike. First the request target is normalised (or refused when it is not exactly what the
 * engine will route), then looked up in the {@link ApiTable} (default deny); form bodies are
 * refused, the query is read as the engine reads it and held to the shape the table declares (a
 * parameter the engine reads once is given once), its policed parameters are checked, and a
 * registry it names is resolved and checked off the event loop ({@link #checkRegistry}); finally a
 * JSON body is read like the engine reads it, checked by every {@link BodyRule}, and re-serialised:
 * the engine receives the body the policy produced.
 */
@Component
public class Policy {

	/**
	 * What the policy decided about a request target.
	 *
	 * @param registry the registry host the request makes the engine connect to (a pull's, push's,
	 *     search's or distribution lookup's), checked by {@link #checkRegistry}; null when none or
	 *     Docker Hub
	 */
	public record Decision(String endpoint, String template, Body body, Map<String, String> query,
			@Nullable Schema schema, @Nullable String registry) {

		public boolean jsonBody() {
			return body == Body.JSON;
		}

		public boolean streamBody() {
			return body == Body.STREAM;
		}

	}

	private final Refusals refusals;

	private final List<BodyRule> rules;

	private final PolicyProperties properties;

	private final ImageSources sources;

	Policy(Refusals refusals, List<BodyRule> rules, PolicyProperties properties, ImageSources sources) {
		this.refusals = refusals;
		this.rules = rules;
		this.properties = properties;
		this.sources = sources;
	}

	public int maxBody() {
		return (int) properties.maxBody().toBytes();
	}

	/**
	 * The kind of body an endpoint takes, from the table alone: nothing is decided or recorded. Lets a
	 * caller choose how to carry a request (a JSON body must be read whole) before deciding on it.
	 */
	public Body bodyOf(String method, String template) {
		return ApiTable.lookup(method, template).body();
	}

	/** The registry's row for an endpoint: what Berth knows about it, whether it is allowed or not. */
	public static Endpoint endpoint(String method, String template) {
		return ApiTable.lookup(method, template);
	}

	/**
	 * Decides on method, raw target and the request's {@code Content-Type} values; throws
	 * {@link PolicyRefusal} (unless auditing a 403).
	 */
	public Decision decide(TenantRef tenant, String method, String rawPath, @Nullable String rawQuery,
			List<String> contentTypes) {
		String template = Endpoints.template(rawPath);
		String key = method + " " + template;
		try {
			normalised(rawPath);
			EngineAnswer standIn = StandIns.answer(method, Endpoints.unversioned(rawPath));
			if (standIn != null) {
				refusals.answered(tenant.name(), key, standIn);
				throw standIn;
			}
			Endpoint endpoint = ApiTable.lookup(method, template);
			if (endpoint.access() == Endpoint.Access.BUILDKIT) {
				if (!properties.buildkit()) {
					refusals.forbid(tenant.name(), key, "buildkit",
							"BuildKit is not available on this engine; use the classic builder (DOCKER_BUILDKIT=0)");
				}
				return new Decision(key, template, Body.NONE, Map.of(), null, null);
			}
			if (endpoint.refused()) {
				refusals.forbid(tenant.name(), key, "endpoint", endpoint.refusal());
				return new Decision(key, template, Body.STREAM, Map.of(), null, null);
			}
			noForm(contentTypes);
			Map<String, List<String>> query = GoForm.parseQuery(rawQuery);
			shaped(query, endpoint.params());
			for (Endpoint.QueryRule rule : endpoint.query()) {
				List<String> values = endpoint.params().repeatable(rule.name()) ? every(query, rule.name())
						: List.of(single(query, rule.name()));
				for (String value : values) {
					if (!rule.accepts().test(value)) {
						refusals.forbid(tenant.name(), key, rule.rule(),
								rule.refusal() + " (" + rule.name() + "=" + value + ")");
					}
				}
			}
			Map<String, String> first = new LinkedHashMap<>();
			query.forEach((name, values) -> first.put(name, values.get(0)));
			return new Decision(key, template, endpoint.body(), first, endpoint.schema(),
					registry(template, rawPath, first));
		}
		catch (PolicyRefusal refusal) {
			if (refusal.status() != HttpStatus.FORBIDDEN) {
				refusals.record(tenant.name(), key, refusal);
			}
			throw refusal;
		}
	}

	/**
	 * Refuses form bodies. For a POST sent as a form, Go's {@code ParseForm} reads the endpoint's
	 * parameters from the body before the query's, and {@code FormValue} parses a multipart body the
	 * same way: a body would carry parameters (a pull's {@code fromSrc}) that the policy never saw.
	 * No Docker client sends either, and no endpoint takes one, so any such {@code Content-Type} is
	 * refused, whatever the method and even with an empty body.
	 */
	private static void noForm(List<String> contentTypes) {
		for (String contentType : contentTypes) {
			String media = GoForm.mediaType(contentType);
			if (media.equals(GoForm.URLENCODED) || media.startsWith("multipart/")) {
				throw PolicyRefusal.malformed("form-body", "form bodies are not accepted (Content-Type " + media
						+ "): the engine would read parameters from them; send parameters in the query");
			}
		}
	}

	/**
	 * Refuses a repeated parameter unless the engine reads it as a list: the engine takes the first
	 * value, and whatever Berth reads must be what the engine reads.
	 */
	private static void shaped(Map<String, List<String>> query, Endpoint.Params params) {
		query.forEach((name, values) -> {
			if (values.size() > 1 && !params.repeatable(name)) {
				throw PolicyRefusal.malformed("query", "the query parameter " + name + " is given more than once");
			}
		});
	}

	/** The registry host a request names for the engine to connect to, if any (Docker Hub is none). */
	private static @Nullable String registry(String template, String rawPath, Map<String, String> query) {
		String reference = switch (template) {
			case "/images/create" -> query.getOrDefault("fromImage", "");
			case "/images/search" -> query.getOrDefault("term", "");
			case "/images/{name}/push" -> between(Endpoints.unversioned(rawPath), "/images/", "/push");
			case "/distribution/{name}/json" -> between(Endpoints.unversioned(rawPath), "/distribution/", "/json");
			default -> "";
		};
		return reference.isEmpty() ? null : RegistryHosts.registryOf(reference);
	}

	private static String between(String path, String prefix, String suffix) {
		return path.startsWith(prefix) && path.endsWith(suffix) && path.length() > prefix.length() + suffix.length()
				? path.substring(prefix.length(), path.length() - suffix.length()) : "";
	}

	/**
	 * Completes when the engine may connect to the registry the decided request names, or signals
	 * the refusal (rule {@code registry-host}); the name is resolved off the event loop.
	 */
	public Mono<Void> checkRegistry(TenantRef tenant, Decision decision) {
		String registry = decision.registry();
		return registry == null ? Mono.empty() : sources.checkRegistry(tenant.name(), decision.endpoint(), registry);
	}

	/** Reads, checks and re-serialises a JSON body for a shared engine; the result is what the engine gets. */
	public Mono<byte[]> checkBody(TenantRef tenant, Decision decision, String path, byte[] body) {
		return checkBody(tenant, decision, path, body, true);
	}

	/**
	 * Reads, checks and re-serialises a JSON body; the result is what the engine gets. On an engine of
	 * the tenant's own the rules that only keep tenants apart ({@link BodyRule#sharedEngineOnly}) are
	 * skipped.
	 */
	public Mono<byte[]> checkBody(TenantRef tenant, Decision decision, String path, byte[] body,
			boolean sharedEngine) {
		ObjectNode tree;
		try {
			tree = JsonBodies.read(body, decision.schema(), field -> refusals.dropped(tenant.name(), decision.endpoint(),
					field, "empty, and not read by the engine"));
		}
		catch (PolicyRefusal refusal) {
			refusals.record(tenant.name(), decision.endpoint(), refusal);
			if (refusals.auditing() && refusal.status() == HttpStatus.FORBIDDEN) {
				return Mono.just(body);
			}
			return Mono.error(refusal);
		}
		BodyRule.Request request = new BodyRule.Request(tenant, decision.endpoint(), path, decision.query());
		return Flux.fromIterable(rules)
			.filter(rule -> rule.appliesTo(decision.endpoint()) && (sharedEngine || !rule.sharedEngineOnly()))
			.concatMap(rule -> rule.apply(request, tree))
			.then(Mono.fromCallable(() -> JsonBodies.write(tree)));
	}

	/**
	 * Whether a body where the endpoint takes none says nothing: {@code {}} or {@code null}. docker-py
	 * sends {@code {}} with a push, where the engine reads it as an empty registry login when no
	 * {@code X-Registry-Auth} header came. Such a body is passed on as it is, with an audit line,
	 * rather than refused.
	 */
	public boolean emptyBody(TenantRef tenant, Decision decision, byte[] body) {
		String text = new String(body, java.nio.charset.StandardCharsets.US_ASCII).strip();
		if (!text.equals("{}") && !text.equals("null")) {
			return false;
		}
		refusals.dropped(tenant.name(), decision.endpoint(), "body", "an empty JSON body, passed on as it is");
		return true;
	}

	/** The refusal for a non-empty body where the endpoint takes none. */
	public PolicyRefusal unexpectedBody(TenantRef tenant, Decision decision) {
		PolicyRefusal refusal = PolicyRefusal.malformed("body", decision.endpoint() + " takes no request body");
		refusals.record(tenant.name(), decision.endpoint(), refusal);
		return refusal;
	}

	public PolicyRefusal bodyTooLarge(TenantRef tenant, Decision decision) {
		PolicyRefusal refusal = new PolicyRefusal(HttpStatus.PAYLOAD_TOO_LARGE, "body-size",
				"the request body is larger than " + properties.maxBody() + ", the most the policy reads");
		refusals.record(tenant.name(), decision.endpoint(), refusal);
		return refusal;
	}

	/**
	 * Checks a request target before anything else reads it (the gateway's codec included), so a
	 * malformed one is refused in the engine's error shape; counted without a tenant.
	 */
	public void checkTarget(String rawTarget) {
		int query = rawTarget.indexOf('?');
		try {
			normalised(query < 0 ? rawTarget : rawTarget.substring(0, query));
		}
		catch (PolicyRefusal refusal) {
			refusals.record("-", "?", refusal);
			throw refusal;
		}
	}

	/**
	 * Whether a request path is in the form the engine routes as it reads: {@link #checkTarget} would
	 * let it pass. Nothing is recorded; lets a caller leave malformed targets to the code that refuses them.
	 */
	public boolean acceptsTarget(String rawPath) {
		try {
			normalised(rawPath);
			return true;
		}
		catch (PolicyRefusal malformed) {
			return false;
		}
	}

	/** Refuses targets the engine would route differently from how they read. */
	static void normalised(String rawPath) {
		if (rawPath.isEmpty() || rawPath.charAt(0) != '/') {
			throw PolicyRefusal.malformed("path", "the request target must be an absolute path");
		}
		for (int i = 0; i < rawPath.length(); i++) {
			char c = rawPath.charAt(i);
			if (c == '%' || c == '\\' || c < 0x21 || c > 0x7e) {
				throw PolicyRefusal.malformed("path", "the request path has characters Berth does not accept ("
						+ (c == '%' ? "percent-encoding" : "0x" + Integer.toHexString(c)) + ")");
			}
		}
		if (rawPath.contains("//") || rawPath.contains("/./") || rawPath.contains("/../") || rawPath.endsWith("/.")
				|| rawPath.endsWith("/..") || (rawPath.length() > 1 && rawPath.endsWith("/"))) {
			throw PolicyRefusal.malformed("path", "the request path is not in normal form (empty, dot segments or a trailing slash)");
		}
		int version = Endpoints.versionPrefix(rawPath);
		if (version > 0 && !supportedVersion(rawPath, version)) {
			throw PolicyRefusal.malformed("path", "unsupported API version prefix in " + rawPath);
		}
	}

	/** {@code /v1.N/} or {@code /v1.NN/}: the versions the engine's API has. */
	private static boolean supportedVersion(String rawPath, int prefix) {
		return rawPath.startsWith("/v1.") && prefix >= 5 && prefix <= 6 && prefix < rawPath.length();
	}

	/** Every value of a policed list parameter; case-variant keys are refused, not guessed. */
	private static List<String> every(Map<String, List<String>> query, String name) {
		List<String> found = new ArrayList<>();
		for (Map.Entry<String, List<String>> entry : query.entrySet()) {
			if (entry.getKey().equalsIgnoreCase(name) && !entry.getKey().equals(name)) {
				throw PolicyRefusal.malformed("query", "the query parameter " + entry.getKey()
						+ " differs from " + name + " only in case; send it as " + name);
			}
			if (entry.getKey().equals(name)) {
				found.addAll(entry.getValue());
			}
		}
		return found;
	}

	/** The one value of a policed parameter; repeated or case-variant keys are refused, not guessed. */
	private static String single(Map<String, List<String>> query, String name) {
		List<String> found = new ArrayList<>();
		for (Map.Entry<String, List<String>> entry : query.entrySet()) {
			if (entry.getKey().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
				if (!entry.getKey().equals(name)) {
					throw PolicyRefusal.malformed("query", "the query parameter " + entry.getKey()
							+ " differs from " + name + " only in case; send it exactly once as " + name);
				}
				found.addAll(entry.getValue());
			}
		}
		if (found.size() > 1) {
			throw PolicyRefusal.malformed("query", "the query parameter " + name + " is given more than once");
		}
		return found.isEmpty() ? "" : found.get(0);
	}

}
