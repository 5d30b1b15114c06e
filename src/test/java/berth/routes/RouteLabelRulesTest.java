package berth.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.http.HttpStatus;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import berth.PlatformProperties;
import berth.account.TenantRef;
import berth.outage.Dependency;
import berth.policy.BodyRule;
import berth.web.DockerApiException;

/** The label contract and the create-time rules, applied directly (no Spring, no gateway). */
class RouteLabelRulesTest {

	static final JsonMapper JSON = JsonMapper.builder().build();

	static final TenantRef ACME = new TenantRef(UUID.randomUUID(), "acme");

	static final Set<String> ACME_DOMAINS = Set.of("shop.example.com");

	final HttpLabelRule httpRule = new HttpLabelRule(new PlatformProperties("berth.example", "", 2375),
			new TenantDomains(new Domains(null) {
				@Override
				Set<String> namesOf(UUID tenantId) {
					return tenantId.equals(ACME.id()) ? ACME_DOMAINS : Set.of();
				}
			}, properties(), new Dependency("database", "unused", Duration.ofSeconds(5), new SimpleMeterRegistry(),
					Clock.systemUTC()) {

				@Override
				protected boolean isOutage(Throwable failure) {
					return false;
				}

				@Override
				protected void check() {
				}

			}, Duration.ofMinutes(15)));

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			front:80                       | front:80
			 Front : 8080                  | front:8080
			front:80,api:3000              | front:80;api:3000
			shop.example.com:443           | shop.example.com:443
			a-b-c:1,x:65535                | a-b-c:1;x:65535
			""")
	void wellFormedLabels(String label, String expected) {
		List<String> parsed = HttpLabels.parse(label).stream().map(e -> e.host() + ":" + e.port()).toList();
		assertThat(parsed).containsExactly(expected.split(";"));
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			front                      | no port
			front:                     | bad port
			front:0                    | bad port
			front:65536                | bad port
			front:80/tcp               | bad port
			front:+80                  | bad port
			front:http                 | bad port
			:80                        | bad host
			-front:80                  | bad host
			fr_ont:80                  | bad host
			*.example.com:80           | bad host
			shop..example.com:80       | bad host
			1.2.3.4:80                 | bad host
			front:80,front:81          | twice
			front:80,                  | empty entry
			a:1,b:1,c:1,d:1,e:1,f:1,g:1,h:1,i:1,j:1,k:1 | at most 10
			""")
	void malformedLabelsAreRefused(String label, String reason) {
		assertThatThrownBy(() -> HttpLabels.parse(label)).isInstanceOf(HttpLabels.Invalid.class).hasMessageContaining(reason);
		DockerApiException refusal = refusal(Map.of("berth.http", label));
		assertThat(refusal.status()).isEqualTo(HttpStatus.BAD_REQUEST);
		assertThat(refusal.getMessage()).startsWith("berth: ").contains(reason);
	}

	@Test
	void theSynonymCountsAndMustAgreeWithTheLabel() {
		assertThat(HttpLabels.value(Map.of("com.wip.http", "front:80"))).isEqualTo("front:80");
		assertThat(HttpLabels.value(Map.of("com.wip.http", "front:80", "berth.http", "front:80"))).isEqualTo("front:80");
		assertThat(refusal(Map.of("com.wip.http", "front:80", "berth.http", "back:80")).getMessage()).contains("disagree");
		assertThat(refusal(Map.of("com.wip.http", "front")).getMessage()).contains("no port");
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			front:80                                   | OK
			front.acme.berth.example:80                | OK
			a.b.acme.berth.example:80                  | OK
			shop.example.com:80                        | OK
			front:80,front.acme.berth.example:81       | 400 twice
			other.example.com:80                       | 403 not registered
			front.other.berth.example:80               | 403 outside your subdomain
			api.berth.example:80                       | 403 outside your subdomain
			berth.example:80                           | 403 outside your subdomain
			acme.berth.example:80                      | 403 outside your subdomain
			x.y.berth.example:80                       | 403 outside your subdomain
			""")
	void hostsATenantMayRoute(String label, String outcome) {
		if (outcome.equals("OK")) {
			assertThat(apply(Map.of("berth.http", label)).get("Labels").get("berth.http").stringValue()).isEqualTo(label);
			return;
		}
		DockerApiException refusal = refusal(Map.of("berth.http", label));
		assertThat(refusal.status().value()).isEqualTo(Integer.parseInt(outcome.substring(0, 3)));
		assertThat(refusal.getMessage()).contains(outcome.substring(4));
	}

	@Test
	void labelsThatAreNotStringsOrNotAnObjectAreRefused() {
		ObjectNode body = JSON.createObjectNode();
		body.putObject("Labels").put("berth.http", 80);
		assertThatThrownBy(() -> httpRule.apply(request(), body).block()).isInstanceOf(DockerApiException.class)
			.hasMessageContaining("must be a string");
		ObjectNode array = JSON.createObjectNode();
		array.putArray("Labels").add("berth.http=front:80");
		assertThatThrownBy(() -> httpRule.apply(request(), array).block()).hasMessageContaining("object");
		ObjectNode none = JSON.createObjectNode();
		httpRule.apply(request(), none).block();
		assertThat(none.has("Labels")).isFalse();
	}

	@Test
	void theOwnersIdIsSetOverWhateverTheBodySays() {
		OwnerIdLabelRule rule = new OwnerIdLabelRule();
		assertThat(rule.appliesTo("POST /containers/create")).isTrue();
		assertThat(rule.appliesTo("POST /containers/{id}/start")).isFalse();

		ObjectNode forged = JSON.createObjectNode();
		forged.putObject("Labels").put("berth.tenant.id", UUID.randomUUID().toString()).put("keep", "me");
		rule.apply(request(), forged).block();
		assertThat(forged.get("Labels").get("berth.tenant.id").stringValue()).isEqualTo(ACME.id().toString());
		assertThat(forged.get("Labels").get("keep").stringValue()).isEqualTo("me");

		ObjectNode absent = JSON.createObjectNode();
		rule.apply(request(), absent).block();
		assertThat(absent.get("Labels").get("berth.tenant.id").stringValue()).isEqualTo(ACME.id().toString());
	}

	private ObjectNode apply(Map<String, String> labels) {
		ObjectNode body = JSON.createObjectNode();
		body.put("Image", "busybox");
		ObjectNode node = body.putObject("Labels");
		labels.forEach(node::put);
		httpRule.apply(request(), body).block();
		return body;
	}

	private DockerApiException refusal(Map<String, String> labels) {
		try {
			apply(labels);
		}
		catch (DockerApiException refused) {
			return refused;
		}
		throw new AssertionError("not refused: " + labels);
	}

	private static BodyRule.Request request() {
		return new BodyRule.Request(ACME, "POST /containers/create", "/v1.41/containers/create", Map.of());
	}

	static RouteProperties properties() {
		return new RouteProperties(true, "traefik", "websecure", "le", RouteProperties.Target.CONTAINER_IP, "",
				"127.0.0.1", new RouteProperties.Apex("berth-apex", "http://127.0.0.1:2375"), Duration.ofSeconds(30),
				Duration.ofSeconds(2), Duration.ofSeconds(30));
	}

}
