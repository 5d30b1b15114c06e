package berth.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import berth.account.TenantRef;

/**
 * Ports a tenant names bind nothing on the shared engine and are shown back as asked; ports the
 * engine chooses bind on loopback. Two tenants asking for the same port get the same, non-colliding,
 * answer.
 */
class PublishedPortsTest {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final PolicyProperties properties = new PolicyProperties(PolicyProperties.Mode.ENFORCE,
			DataSize.ofMegabytes(1), true, false);

	private final PortRules rules = new PortRules(new Refusals(new SimpleMeterRegistry(), properties),
			SharedPortsProperties.Mode.LOOPBACK);

	private ObjectNode created(String tenant, String body) {
		ObjectNode tree = (ObjectNode) JSON.readTree(body);
		rules.apply(new BodyRule.Request(new TenantRef(UUID.randomUUID(), tenant), "POST /containers/create",
				"/v1.41/containers/create", java.util.Map.of()), tree).block();
		return tree;
	}

	private static final String COMPOSE_80 = """
			{"Image":"busybox","ExposedPorts":{"80/tcp":{}},
			 "HostConfig":{"PortBindings":{"80/tcp":[{"HostIp":"","HostPort":"80"}],"53/udp":[{"HostPort":"5353"}],
			   "9000/tcp":[{"HostIp":"","HostPort":""}]}}}""";

	@Test
	void namedPortsBindNothingAndTheRequestIsKept() {
		for (String tenant : new String[] { "acme", "globex" }) {
			ObjectNode body = created(tenant, COMPOSE_80);
			JsonNode bindings = body.at("/HostConfig/PortBindings");
			assertThat(bindings.propertyNames()).as("what " + tenant + "'s container binds").containsExactly("9000/tcp");
			assertThat(bindings.at("/9000~1tcp/0/HostIp").asString()).as("a port of the engine's choosing, on loopback")
				.isEqualTo("127.0.0.1");
			assertThat(body.get("ExposedPorts").propertyNames()).contains("80/tcp", "53/udp");
			JsonNode kept = JSON.readTree(body.at("/Labels/berth.ports").asString());
			assertThat(kept.at("/80~1tcp/0/HostPort").asString()).isEqualTo("80");
			assertThat(kept.at("/80~1tcp/0/HostIp").asString()).isEmpty();
			assertThat(kept.at("/53~1udp/0/HostPort").asString()).isEqualTo("5353");
			assertThat(kept.has("9000/tcp")).isFalse();
		}
	}

	@Test
	void withoutNamedPortsTheLabelIsEmpty() {
		ObjectNode body = created("acme", "{\"Image\":\"busybox\"}");
		assertThat(body.at("/Labels/berth.ports").asString()).isEmpty();
	}

	private static String withLabel(String template, ObjectNode created) {
		return template.formatted(JSON.writeValueAsString(created.at("/Labels/berth.ports").asString()));
	}

	@Test
	void inspectShowsTheBindingsAsAsked() {
		ObjectNode created = created("acme", COMPOSE_80);
		ObjectNode inspect = (ObjectNode) JSON.readTree(withLabel("""
				{"Config":{"Labels":{"berth.ports":%s}},
				 "HostConfig":{"PortBindings":{"9000/tcp":[{"HostIp":"127.0.0.1","HostPort":""}]}},
				 "NetworkSettings":{"Ports":{"80/tcp":null,"53/udp":null,"9000/tcp":[{"HostIp":"127.0.0.1","HostPort":"49153"}]}}}""",
				created));
		PublishedPorts.showInspected(inspect);
		assertThat(inspect.at("/HostConfig/PortBindings/80~1tcp/0/HostPort").asString()).isEqualTo("80");
		assertThat(inspect.at("/HostConfig/PortBindings/80~1tcp/0/HostIp").asString()).isEmpty();
		assertThat(inspect.at("/HostConfig/PortBindings/53~1udp/0/HostPort").asString()).isEqualTo("5353");
		assertThat(inspect.at("/HostConfig/PortBindings/9000~1tcp/0/HostIp").asString()).isEqualTo("127.0.0.1");
		assertThat(inspect.at("/NetworkSettings/Ports/80~1tcp")).hasSize(1);
		assertThat(inspect.at("/NetworkSettings/Ports/80~1tcp/0/HostIp").asString()).isEqualTo("0.0.0.0");
		assertThat(inspect.at("/NetworkSettings/Ports/80~1tcp/0/HostPort").asString()).isEqualTo("80");
		assertThat(inspect.at("/NetworkSettings/Ports/9000~1tcp/0/HostPort").asString()).isEqualTo("49153");
	}

	@Test
	void aStoppedContainerListsNoPortsLikeTheEngine() {
		ObjectNode inspect = (ObjectNode) JSON.readTree(withLabel("""
				{"Config":{"Labels":{"berth.ports":%s}},"HostConfig":{"PortBindings":{}},
				 "NetworkSettings":{"Ports":{}}}""", created("acme", COMPOSE_80)));
		PublishedPorts.showInspected(inspect);
		assertThat(inspect.at("/NetworkSettings/Ports").isEmpty()).isTrue();
		assertThat(inspect.at("/HostConfig/PortBindings/80~1tcp/0/HostPort").asString()).isEqualTo("80");
	}

	@Test
	void theListShowsTheBindingsAsAsked() {
		ObjectNode item = (ObjectNode) JSON.readTree(withLabel("""
				{"Labels":{"berth.ports":%s},"Ports":[{"PrivatePort":80,"Type":"tcp"},{"PrivatePort":53,"Type":"udp"},
				  {"IP":"127.0.0.1","PrivatePort":9000,"PublicPort":49153,"Type":"tcp"}]}""", created("acme", COMPOSE_80)));
		PublishedPorts.showListed(item);
		assertThat(item.get("Ports")).hasSize(3);
		assertThat(item.get("Ports").toString()).contains("{\"IP\":\"0.0.0.0\",\"PrivatePort\":80,\"PublicPort\":80,\"Type\":\"tcp\"}")
			.contains("{\"IP\":\"0.0.0.0\",\"PrivatePort\":53,\"PublicPort\":5353,\"Type\":\"udp\"}")
			.contains("{\"IP\":\"127.0.0.1\",\"PrivatePort\":9000,\"PublicPort\":49153,\"Type\":\"tcp\"}");
	}

	/**
	 * On an engine of the tenant's own (its VM) ports bind as asked, on the VM's address; binds of its
	 * system paths are still refused.
	 */
	@Test
	void anEngineOfTheTenantsOwnBindsPortsAsAsked() {
		Refusals refusals = new Refusals(new SimpleMeterRegistry(), properties);
		ImageSources sources = new ImageSources(PolicyFixturesTest.REGISTRIES, refusals);
		Policy policy = new Policy(refusals, java.util.List.of(new ContainerRules(refusals,
				tenant -> reactor.core.publisher.Mono.just(PolicyFixturesTest.STANDARD),
				tenant -> reactor.core.publisher.Mono.just(0), new CreateTurns(), true), rules), properties, sources);
		TenantRef acme = new TenantRef(UUID.randomUUID(), "acme");
		Policy.Decision create = policy.decide(acme, "POST", "/v1.41/containers/create", null,
				java.util.List.of("application/json"));
		byte[] body = COMPOSE_80.getBytes(java.nio.charset.StandardCharsets.UTF_8);
		JsonNode own = JSON.readTree(policy.checkBody(acme, create, "/v1.41/containers/create", body, false).block());
		assertThat(own.at("/HostConfig/PortBindings/80~1tcp/0/HostPort").asString()).isEqualTo("80");
		assertThat(own.at("/HostConfig/PortBindings/80~1tcp/0/HostIp").asString()).isEmpty();
		assertThat(own.at("/Labels").has(PublishedPorts.LABEL)).isFalse();
		JsonNode shared = JSON.readTree(policy.checkBody(acme, create, "/v1.41/containers/create", body, true).block());
		assertThat(shared.at("/HostConfig/PortBindings").has("80/tcp")).as("the same body for the shared engine").isFalse();

		byte[] socket = "{\"Image\":\"busybox\",\"HostConfig\":{\"Binds\":[\"/var/run/docker.sock:/s\"]}}"
			.getBytes(java.nio.charset.StandardCharsets.UTF_8);
		assertThat(org.assertj.core.api.Assertions.catchThrowableOfType(PolicyRefusal.class,
				() -> policy.checkBody(acme, create, "/v1.41/containers/create", socket, false).block())
			.getMessage()).contains("the engine's socket cannot be mounted");
	}

	@Test
	void aLabelThatIsNotBerthsShowsNothing() {
		ObjectNode item = (ObjectNode) JSON.readTree("""
				{"Labels":{"berth.ports":"not json"},"Ports":[{"PrivatePort":80,"Type":"tcp"}]}""");
		PublishedPorts.showListed(item);
		assertThat(item.get("Ports").toString()).isEqualTo("[{\"PrivatePort\":80,\"Type\":\"tcp\"}]");
	}

}
