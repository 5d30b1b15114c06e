package berth.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.springframework.util.unit.DataSize;
import reactor.core.publisher.Mono;

import berth.web.DockerApiException;

/**
 * Coverage-guided fuzzing of the admission (Jazzer): method, path, query, {@code Content-Type}
 * headers and JSON bodies go through {@link Policy#decide} and {@link Policy#checkBody} as on every
 * carrier. Two properties hold for every input:
 * <ul>
 * <li>nothing crashes and nothing is a 5xx: a request is admitted or refused with a 4xx;</li>
 * <li>what is admitted, read the engine's way ({@link GoReading}: first query value, body form values
 * first, case-insensitive JSON keys with the last duplicate winning), gets the same decision: the
 * values the engine will use pass the same rules, and the forwarded body is admitted again as it is.</li>
 * </ul>
 * Without {@code JAZZER_FUZZ} this replays the kept corpus ({@code PolicyFuzzTestInputs}) as a
 * regression test; the build's {@code fuzz} execution fuzzes for a bounded time (see the README).
 */
class PolicyFuzzTest {

	private static final String[] METHODS = { "GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "post" };

	private static final String[] VERSIONS = { "", "/v1.41", "/v1.24", "/v1.47", "/v2", "/v1.4x" };

	private static final List<String> ENDPOINTS = ApiTable.all().keySet().stream().sorted().toList();

	private static final String[] KEYS = { "fromImage", "fromSrc", "repo", "tag", "t", "names", "changes",
			"networkmode", "NetworkMode", "remote", "cgroupparent", "isolation", "version", "session", "term", "name",
			"filters", "all", "platform", "dockerfile", "buildargs", "x" };

	private static final String[] VALUES = { "", "-", "busybox", "host", "container:x", "http://10.0.0.1/x",
			"127.0.0.1:6379/x", "127.0.0.1:5000/x", "10.0.0.5:8080/x", "registry.example.com/x", "localhost/x",
			"WORKDIR /proc/self/fd/7", "WORKDIR /srv", "2", "1", "default", "[::1]:5000/x", "0177.0.0.1/x" };

	private static final String[] CONTENT_TYPES = { "application/json", "application/x-tar", "text/plain",
			"application/x-www-form-urlencoded", " Application/X-WWW-Form-Urlencoded;charset=x", "multipart/form-data; boundary=x",
			"multipart/mixed", "application/x-www-form-urlencoded; =", "" };

	private static final String[] BODIES = { "{\"Image\":\"busybox\"}",
			"{\"Image\":\"busybox\",\"HostConfig\":{\"Privileged\":true}}",
			"{\"Image\":\"busybox\",\"WorkingDir\":\"/proc/self/fd/8\"}",
			"{\"Image\":\"busybox\",\"User\":\"4294967296\"}",
			"{\"Image\":\"busybox\",\"Healthcheck\":{\"Test\":[\"CMD\",\"true\"],\"Interval\":1000000}}",
			"{\"Image\":\"busybox\",\"HostConfig\":{\"Binds\":[\"/:/h\"]},\"hostconfig\":{}}",
			"{\"Cmd\":[\"sh\"],\"WorkingDir\":\"//proc/\",\"Privileged\":false}",
			"{\"serveraddress\":\"10.0.0.1:5000\",\"username\":\"u\"}",
			"{\"Name\":\"v\",\"Driver\":\"local\",\"DriverOpts\":{\"type\":\"none\"}}",
			"{\"Image\":\"busybox\",\"HostConfig\":{\"PortBindings\":{\"80/tcp\":[{\"HostIp\":\"0.0.0.0\"}]}}}",
			"{\"Image\":\"busybox\",\"HostConfig\":{\"PortBindings\":{\"80/tcp\":[{\"HostPort\":\"8080\"},{\"HostIp\":\"127.0.0.1\"}]}}}",
			"{\"Image\":\"busybox\",\"HostConfig\":{\"Binds\":[\"/srv/app/data:/data:ro\",\"/tmp/../var/run/docker.sock:/s\"],\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/etc\",\"Target\":\"/h\"}]}}" };

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	private final Policy policy;

	PolicyFuzzTest() {
		// every refusal is written to the audit log: millions of lines while fuzzing
		((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("berth.audit"))
			.setLevel(ch.qos.logback.classic.Level.WARN);
		PolicyProperties properties = new PolicyProperties(PolicyProperties.Mode.ENFORCE, DataSize.ofKilobytes(64),
				false, false);
		Refusals refusals = new Refusals(meters, properties);
		ImageSources sources = new ImageSources(PolicyFixturesTest.REGISTRIES, refusals);
		List<BodyRule> rules = List.of(
				new ContainerRules(refusals, tenant -> Mono.just(PolicyFixturesTest.STANDARD), tenant -> Mono.just(0),
						new CreateTurns(), false),
				new ObjectRules(refusals), new PortRules(refusals, SharedPortsProperties.Mode.LOOPBACK),
				new LoginRules(sources));
		policy = new Policy(refusals, rules, properties, sources);
	}

	@FuzzTest(maxDuration = "60s")
	void admission(FuzzedDataProvider data) {
		String method;
		String template;
		if (data.consumeBoolean()) {
			String endpoint = data.pickValue(ENDPOINTS);
			method = endpoint.substring(0, endpoint.indexOf(' '));
			template = endpoint.substring(endpoint.indexOf(' ') + 1);
		}
		else {
			method = data.pickValue(METHODS);
			template = "/" + data.consumeString(24);
		}
		String path = data.pickValue(VERSIONS) + fill(template, data);
		String query = query(data);
		List<String> contentTypes = new ArrayList<>();
		for (int i = data.consumeInt(0, 2); i > 0; i--) {
			contentTypes.add(data.consumeBoolean() ? data.pickValue(CONTENT_TYPES) : data.consumeString(32));
		}
		byte[] body = data.consumeBoolean() ? data.pickValue(BODIES).getBytes(StandardCharsets.UTF_8)
				: data.consumeRemainingAsBytes();
		admit(method, path, query.isEmpty() ? null : query, contentTypes, body);
	}

	/** Runs one request through the admission and checks both properties. */
	void admit(String method, String path, @org.jspecify.annotations.Nullable String query, List<String> contentTypes,
			byte[] body) {
		Policy.Decision decision;
		byte[] forwarded = body;
		try {
			decision = policy.decide(PolicyFixturesTest.ACME, method, path, query, contentTypes);
			policy.checkRegistry(PolicyFixturesTest.ACME, decision).block();
			if (decision.jsonBody()) {
				forwarded = policy.checkBody(PolicyFixturesTest.ACME, decision, path, body).block();
			}
		}
		catch (DockerApiException refused) {
			assertThat(refused.status().is4xxClientError()).as("a refusal is a 4xx: %s", refused.getMessage()).isTrue();
			assertThat(refused.getMessage()).startsWith("berth: ");
			return;
		}
		catch (RuntimeException crash) {
			fail("the admission crashed on %s %s ? %s %s", method, path, query, contentTypes, crash);
			return;
		}
		sameDecisionTheEnginesWay(decision, method, path, query, contentTypes, forwarded);
	}

	private void sameDecisionTheEnginesWay(Policy.Decision decision, String method, String path,
			@org.jspecify.annotations.Nullable String query, List<String> contentTypes, byte[] forwarded) {
		assertThat(GoReading.cleanPath(path)).as("the engine routes the path it was given").isEqualTo(path);
		assertThat(path).doesNotContain("%");
		String media = GoReading.formMediaType(contentTypes);
		assertThat(media).as("the engine would read parameters from the body")
			.isNotEqualTo("application/x-www-form-urlencoded")
			.isNotEqualTo("multipart/form-data");
		Endpoint endpoint = ApiTable.lookup(method, decision.template());
		Optional<Map<String, List<String>>> read = GoReading.parseQuery(query);
		if (read.isEmpty()) {
			// the engine's ParseForm fails: it answers 400 and does nothing
			return;
		}
		Map<String, List<String>> engine = read.get();
		engine.forEach((name, values) -> assertThat(values.size() == 1 || endpoint.params().repeatable(name))
			.as("the engine reads only the first %s of %s", name, values)
			.isTrue());
		for (Endpoint.QueryRule rule : endpoint.query()) {
			List<String> values = engine.getOrDefault(rule.name(), List.of(""));
			List<String> used = endpoint.params().repeatable(rule.name()) ? values : List.of(values.get(0));
			for (String value : used) {
				assertThat(rule.accepts().test(value)).as("the engine uses %s=%s", rule.name(), value).isTrue();
			}
		}
		String reference = switch (decision.template()) {
			case "/images/create" -> engine.getOrDefault("fromImage", List.of("")).get(0);
			case "/images/search" -> engine.getOrDefault("term", List.of("")).get(0);
			default -> null;
		};
		if (reference != null) {
			assertThat(decision.registry()).as("the registry the engine connects to")
				.isEqualTo(GoReading.domain(reference));
		}
		if (decision.jsonBody()) {
			// the engine reads the forwarded body; read again (without the labels Berth added), it gets the
			// same decision and stays as it is, but for those labels (named ports are in one already)
			byte[] again = policy.checkBody(PolicyFixturesTest.ACME, decision, path, withoutBerthLabels(forwarded)).block();
			assertThat(new String(withoutBerthLabels(again), StandardCharsets.UTF_8))
				.isEqualTo(new String(withoutBerthLabels(forwarded), StandardCharsets.UTF_8));
		}
	}

	/** The body without the labels Berth sets (the owner, the named ports); a tenant's berth.http stays. */
	private static byte[] withoutBerthLabels(byte[] forwarded) {
		tools.jackson.databind.JsonNode tree = PolicyFixturesTest.JSON.readTree(forwarded);
		if (tree.get("Labels") instanceof tools.jackson.databind.node.ObjectNode labels) {
			labels.remove(ContainerRules.OWNER_LABEL);
			labels.remove(PublishedPorts.LABEL);
		}
		return PolicyFixturesTest.JSON.writeValueAsBytes(tree);
	}

	private static String fill(String template, FuzzedDataProvider data) {
		String out = template;
		for (String placeholder : List.of("{id}", "{name}")) {
			while (out.contains(placeholder)) {
				out = out.replaceFirst(java.util.regex.Pattern.quote(placeholder),
						java.util.regex.Matcher.quoteReplacement(data.consumeBoolean() ? "web" : data.consumeString(16)));
			}
		}
		return out;
	}

	private static String query(FuzzedDataProvider data) {
		StringBuilder out = new StringBuilder();
		for (int i = data.consumeInt(0, 5); i > 0; i--) {
			if (!out.isEmpty()) {
				out.append(data.consumeInt(0, 15) == 0 ? ";" : "&");
			}
			String key = data.consumeBoolean() ? data.pickValue(KEYS) : data.consumeString(8);
			String value = data.consumeBoolean() ? data.pickValue(VALUES) : data.consumeString(24);
			out.append(data.consumeBoolean() ? escape(key, data) : key);
			if (data.consumeInt(0, 7) != 0) {
				out.append('=').append(data.consumeBoolean() ? escape(value, data) : value);
			}
		}
		return out.toString();
	}

	/** Percent-encodes some of the characters (all of the unsafe ones), as a client may or may not. */
	private static String escape(String text, FuzzedDataProvider data) {
		StringBuilder out = new StringBuilder();
		for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
			char c = (char) (b & 0xff);
			boolean safe = c > 0x20 && c < 0x7f && c != '&' && c != '%' && c != '+' && c != '=' && c != '#' && c != ';';
			if (!safe || data.consumeInt(0, 3) == 0) {
				out.append('%').append(String.format("%02X", b & 0xff));
			}
			else {
				out.append(c);
			}
		}
		return out.toString();
	}

}
