package berth.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.util.unit.DataSize;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import berth.account.TenantRef;
import berth.web.DockerErrors;
import berth.web.EngineAnswer;

/**
 * The policy, table-driven: every case in {@code policy/cases.json} is a request (method, target,
 * body) and what must come of it: the refusal (status, rule, message) or the body the engine gets.
 */
class PolicyFixturesTest {

	static final JsonMapper JSON = JsonMapper.builder().build();

	static final TenantRef ACME = new TenantRef(UUID.randomUUID(), "acme");

	static final Plan STANDARD = new Plan("standard", 1073741824L, 1_000_000_000L, 512, 25, 1000, 100);

	/**
	 * Registries as a resolver of the tests' own sees them: 127.0.0.1:5000 is allowed (like the local
	 * registry in the integration tests), two names resolve, nothing else does.
	 */
	static final RegistryHosts REGISTRIES = new RegistryHosts(List.of("127.0.0.1:5000", "Registry.Operator.Test"),
			host -> switch (host) {
				case "registry.example.com" -> new InetAddress[] { InetAddress.getByAddress(host, new byte[] { 93, (byte) 184, (byte) 215, 14 }) };
				case "registry.internal.test" -> new InetAddress[] { InetAddress.getByAddress(host, new byte[] { 93, (byte) 184, (byte) 215, 15 }),
						InetAddress.getByAddress(host, new byte[] { 10, 0, 0, 7 }) };
				default -> InetAddress.getAllByName(literal(host));
			});

	/** Only IP literals resolve without the table above: no test asks a real resolver. */
	private static String literal(String host) throws java.net.UnknownHostException {
		if (host.matches("[0-9.]+") || host.contains(":") || host.equals("localhost")) {
			return host;
		}
		throw new java.net.UnknownHostException(host);
	}

	SimpleMeterRegistry meters = new SimpleMeterRegistry();

	Policy policy = policy(PolicyProperties.Mode.ENFORCE, true, 0);

	Policy policy(PolicyProperties.Mode mode, boolean allowRoot, int containers) {
		return policy(mode, allowRoot, containers, SharedPortsProperties.Mode.LOOPBACK);
	}

	Policy policy(PolicyProperties.Mode mode, boolean allowRoot, int containers, SharedPortsProperties.Mode ports) {
		PolicyProperties properties = new PolicyProperties(mode, DataSize.ofMegabytes(1), allowRoot, false);
		Refusals refusals = new Refusals(meters, properties);
		ImageSources sources = new ImageSources(REGISTRIES, refusals);
		List<BodyRule> rules = List.of(
				new ContainerRules(refusals, tenant -> Mono.just(STANDARD), tenant -> Mono.just(containers),
						new CreateTurns(), allowRoot),
				new ObjectRules(refusals), new PortRules(refusals, ports), new LoginRules(sources));
		return new Policy(refusals, rules, properties, sources);
	}

	static Stream<Arguments> cases() throws Exception {
		try (InputStream in = PolicyFixturesTest.class.getResourceAsStream("/policy/cases.json")) {
			List<Arguments> out = new ArrayList<>();
			for (JsonNode c : JSON.readTree(in)) {
				out.add(Arguments.of(c.get("case").asString(), c));
			}
			return out.stream();
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("cases")
	void fixture(String name, JsonNode c) {
		int expected = c.get("status").asInt();
		try {
			JsonNode forwarded = run(policy, c);
			assertThat(expected).as("allowed, but the fixture expects a refusal").isEqualTo(200);
			assertThat(c.has("answer")).as("forwarded, but the fixture expects Berth to answer").isFalse();
			if (c.has("forwarded")) {
				assertContains(forwarded, c.get("forwarded"), "");
			}
			for (JsonNode pointer : c.path("absent")) {
				assertThat(forwarded.at(pointer.asString()).isMissingNode())
					.as("forwarded body has no " + pointer.asString() + ": " + forwarded)
					.isTrue();
			}
		}
		catch (EngineAnswer answer) {
			// answered in the engine's place, in its words: no refusal, nothing counted
			assertThat(c.has("answer")).as("answered by Berth: " + answer.getMessage()).isTrue();
			DockerErrors.Answer written = DockerErrors.answerFor(answer, "GET", "/");
			assertThat(written.status()).isEqualTo(expected);
			assertThat(new String(written.body(), StandardCharsets.UTF_8)).contains(c.get("answer").asString())
				.doesNotContain("berth");
			assertThat(meters.find("berth.policy.refusals").counters()).isEmpty();
		}
		catch (PolicyRefusal refusal) {
			assertThat(refusal.status().value()).as(refusal.getMessage()).isEqualTo(expected);
			assertThat(refusal.rule()).isEqualTo(c.get("rule").asString());
			assertThat(refusal.getMessage()).startsWith("berth: ")
				.contains(c.get("message").asString())
				.endsWith("(policy rule: " + c.get("rule").asString() + ")");
			assertThat(meters.counter("berth.policy.refusals", "rule", refusal.rule(), "outcome", "refused").count())
				.as("each refusal is counted by rule").isEqualTo(1.0);
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "0", "00", "0:0", "root", "root:root", " 0", "ROOT", "0:1000", "+0", "-0", "-1",
			"2147483648", "4294967296", "4294967296:0", "18446744073709551616", "99999999999999999999999" })
	void rootInEverySpellingWhenRootIsNotAllowed(String user) {
		Policy strict = policy(PolicyProperties.Mode.ENFORCE, false, 0);
		Map<String, Object> body = Map.of("Image", "busybox", "User", user);
		PolicyRefusal refusal = catchThrowableOfType(PolicyRefusal.class,
				() -> run(strict, create("POST", "/v1.41/containers/create", body)));
		assertThat(refusal).isNotNull();
		assertThat(refusal.rule()).isEqualTo("root");
		PolicyRefusal exec = catchThrowableOfType(PolicyRefusal.class,
				() -> run(strict, create("POST", "/v1.41/containers/x/exec", Map.of("Cmd", List.of("sh"), "User", user))));
		assertThat(exec).isNotNull();
	}

	@ParameterizedTest
	@ValueSource(strings = { "1000", "nobody", "1000:0", "10", "2147483647", "1", "+1000", "nobody:0" })
	void nonRootUsersWhenRootIsNotAllowed(String user) {
		Policy strict = policy(PolicyProperties.Mode.ENFORCE, false, 0);
		run(strict, create("POST", "/v1.41/containers/create", Map.of("Image", "busybox", "User", user)));
	}

	@Test
	void theContainerCountIsCapped() {
		Policy full = policy(PolicyProperties.Mode.ENFORCE, true, 25);
		PolicyRefusal refusal = catchThrowableOfType(PolicyRefusal.class,
				() -> run(full, create("POST", "/v1.41/containers/create", Map.of("Image", "busybox"))));
		assertThat(refusal.rule()).isEqualTo("quota-containers");
		assertThat(refusal.getMessage()).contains("limit of 25 containers");
	}

	@Test
	void sharedPortsCanBeDeniedOrLeftAsAsked() {
		Map<String, Object> published = Map.of("Image", "busybox", "HostConfig",
				Map.of("PortBindings", Map.of("80/tcp", List.of(Map.of("HostIp", "", "HostPort", "8080")))));
		Policy deny = policy(PolicyProperties.Mode.ENFORCE, true, 0, SharedPortsProperties.Mode.DENY);
		PolicyRefusal refusal = catchThrowableOfType(PolicyRefusal.class,
				() -> run(deny, create("POST", "/v1.41/containers/create", published)));
		assertThat(refusal.rule()).isEqualTo("shared-ports");
		assertThat(refusal.getMessage()).contains("not available on this shared host");
		run(deny, create("POST", "/v1.41/containers/create", Map.of("Image", "busybox")));

		Policy allow = policy(PolicyProperties.Mode.ENFORCE, true, 0, SharedPortsProperties.Mode.ALLOW);
		JsonNode forwarded = run(allow, create("POST", "/v1.41/containers/create", published));
		assertThat(forwarded.at("/HostConfig/PortBindings/80~1tcp/0/HostIp").asString()).isEmpty();
		run(allow, create("POST", "/v1.41/containers/create",
				Map.of("Image", "busybox", "HostConfig", Map.of("PublishAllPorts", true))));
	}

	@ParameterizedTest
	@ValueSource(strings = { "127.0.0.1", "127.255.0.9", "::1", "[::1]" })
	void loopbackAddresses(String address) {
		assertThat(PortRules.isLoopback(address)).isTrue();
	}

	@ParameterizedTest
	@ValueSource(strings = { "0.0.0.0", "10.0.0.1", "128.0.0.1", "127.0.0", "127.0.0.256", "127.0.0.1.2", "::",
			"::ffff:127.0.0.1", "localhost", "127.0.0.-1" })
	void notLoopbackAddresses(String address) {
		assertThat(PortRules.isLoopback(address)).isFalse();
	}

	@Test
	void auditModeLetsPolicyRefusalsThroughButCountsThem() {
		Policy audit = policy(PolicyProperties.Mode.AUDIT, true, 0);
		JsonNode forwarded = run(audit, create("POST", "/v1.41/containers/create",
				Map.of("Image", "busybox", "HostConfig", Map.of("Memory", 8589934592L))));
		assertThat(forwarded.get("HostConfig").get("Memory").asLong()).isEqualTo(8589934592L);
		assertThat(meters.counter("berth.policy.refusals", "rule", "quota-memory", "outcome", "audited").count())
			.isEqualTo(1.0);
		run(audit, create("POST", "/v1.41/swarm/init", null));
		assertThat(meters.counter("berth.policy.refusals", "rule", "endpoint", "outcome", "audited").count()).isEqualTo(1.0);
		// malformed input is refused whatever the mode
		PolicyRefusal malformed = catchThrowableOfType(PolicyRefusal.class,
				() -> run(audit, create("GET", "/v1.41//containers/json", null)));
		assertThat(malformed.status().value()).isEqualTo(400);
	}

	@Test
	void everyJsonEndpointHasASchemaAndEveryRefusalAReason() {
		assertThat(ApiTable.all()).hasSizeGreaterThan(60);
		ApiTable.all().forEach((key, endpoint) -> {
			if (endpoint.body() == Body.JSON) {
				assertThat(endpoint.schema()).as(key).isNotNull();
			}
			if (endpoint.refused()) {
				assertThat(endpoint.refusal()).as(key).isNotBlank();
			}
		});
	}

	private static JsonNode create(String method, String target, Object body) {
		var node = JSON.createObjectNode().put("method", method).put("target", target);
		if (body != null) {
			node.set("body", JSON.valueToTree(body));
		}
		return node;
	}

	private JsonNode run(Policy policy, JsonNode c) {
		String target = c.get("target").asString();
		int q = target.indexOf('?');
		String path = q < 0 ? target : target.substring(0, q);
		String query = q < 0 ? null : target.substring(q + 1);
		List<String> contentTypes = new ArrayList<>();
		if (c.has("contentType")) {
			contentTypes.add(c.get("contentType").asString());
		}
		Policy.Decision decision = policy.decide(ACME, c.get("method").asString(), path, query, contentTypes);
		policy.checkRegistry(ACME, decision).block();
		if (!decision.jsonBody()) {
			return JSON.createObjectNode();
		}
		byte[] body = c.has("bodyText") ? c.get("bodyText").asString().getBytes(StandardCharsets.UTF_8)
				: c.has("body") ? JSON.writeValueAsBytes(c.get("body")) : new byte[0];
		byte[] forwarded = policy.checkBody(ACME, decision, path, body).block();
		return JSON.readTree(forwarded);
	}

	private static void assertContains(JsonNode actual, JsonNode expected, String path) {
		if (expected.isObject()) {
			expected.properties().forEach(entry -> {
				assertThat(actual.has(entry.getKey())).as("forwarded body has " + path + "." + entry.getKey() + ": " + actual)
					.isTrue();
				assertContains(actual.get(entry.getKey()), entry.getValue(), path + "." + entry.getKey());
			});
		}
		else {
			assertThat(actual).as(path).isEqualTo(expected);
		}
	}

}
