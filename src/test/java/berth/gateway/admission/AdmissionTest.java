package berth.gateway.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Mono;

import berth.account.TenantRef;
import berth.backend.Engine;
import berth.backend.EngineAddress;
import berth.policy.ApiTable;
import berth.policy.Body;
import berth.policy.Endpoint;
import berth.policy.Policies;
import berth.web.DockerApiException;

/**
 * The admission with plain inputs and plain look-ups, for every row of the endpoint registry, on a
 * shared engine and on an engine of the tenant's own: what it forwards, what it refuses, and what it
 * asks of the engine on the way (nothing, for a request the policy refuses).
 */
class AdmissionTest {

	static final TenantRef TENANT = new TenantRef(UUID.fromString("00000000-0000-0000-0000-00000000000a"), "acme");

	static final Engine SHARED = new Engine("shared", EngineAddress.parse("unix:///var/run/docker.sock"),
			Engine.Kind.SHARED);

	static final Engine OWN = new Engine("own", EngineAddress.parse("unix:///var/run/docker.sock"), Engine.Kind.OWN);

	/** A body each JSON endpoint accepts. */
	static final Map<String, String> BODIES = Map.of("POST /auth", "{\"serveraddress\":\"127.0.0.1:5000\"}",
			"POST /containers/create", "{\"Image\":\"busybox\"}", "POST /containers/{id}/update",
			"{\"CpuShares\":512}", "POST /containers/{id}/exec", "{\"Cmd\":[\"true\"]}", "POST /exec/{id}/start",
			"{\"Detach\":false}", "POST /commit", "{}", "POST /networks/create", "{\"Name\":\"net\"}",
			"POST /networks/{id}/connect", "{\"Container\":\"web\"}", "POST /networks/{id}/disconnect",
			"{\"Container\":\"web\"}", "POST /volumes/create", "{\"Name\":\"data\"}");

	/** Look-ups that answer plainly and remember what they were asked. */
	static final class Recorded implements Lookups {

		final Engine engine;

		final List<String> asked = new ArrayList<>();

		Recorded(Engine engine) {
			this.engine = engine;
		}

		@Override
		public @Nullable TenantRef authenticatedNow(@Nullable String authorization, @Nullable String host,
				@Nullable X509Certificate certificate) {
			return "Bearer cached".equals(authorization) ? TENANT : null;
		}

		@Override
		public Mono<TenantRef> authenticate(@Nullable String authorization, @Nullable String host,
				@Nullable X509Certificate certificate) {
			asked.add("authenticate");
			return "Bearer good".equals(authorization) ? Mono.just(TENANT)
					: Mono.error(new DockerApiException(org.springframework.http.HttpStatus.UNAUTHORIZED, "no key"));
		}

		@Override
		public Mono<Engine> engineFor(TenantRef tenant) {
			asked.add("engine");
			return Mono.just(engine);
		}

		@Override
		public Mono<String> ownedTarget(TenantRef tenant, String method, String rawPath, @Nullable String rawQuery) {
			asked.add("owned");
			return Mono.just("/owned" + rawPath + (rawQuery == null ? "" : "?" + rawQuery));
		}

	}

	record Headers(Map<String, String> values) implements Admission.Headers {

		static Headers of(String... pairs) {
			java.util.Map<String, String> map = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
			for (int i = 0; i < pairs.length; i += 2) {
				map.put(pairs[i], pairs[i + 1]);
			}
			return new Headers(map);
		}

		@Override
		public @Nullable String first(String name) {
			return values.get(name);
		}

		@Override
		public List<String> all(String name) {
			String value = values.get(name);
			return value == null ? List.of() : List.of(value);
		}

	}

	static Stream<Arguments> everyRow() {
		return ApiTable.rows().stream().flatMap(row -> Stream.of(Arguments.of(row.key(), SHARED), Arguments.of(row.key(), OWN)));
	}

	/** A target for the row: its placeholders filled with a name, behind the version prefix. */
	static String target(Endpoint row) {
		String path = "/v1.41" + row.template().replace("{id}", "web").replace("{name}", "busybox");
		return switch (row.key()) {
			case "POST /containers/{id}/rename" -> path + "?name=web2";
			case "POST /containers/create" -> path + "?name=web";
			case "POST /commit" -> path + "?container=web";
			case "POST /images/{name}/tag" -> path + "?repo=mine&tag=1";
			case "POST /images/create" -> path + "?fromImage=busybox&tag=latest";
			case "GET /images/search" -> path + "?term=busybox";
			default -> path;
		};
	}

	@ParameterizedTest(name = "{0} on {1}")
	@MethodSource("everyRow")
	void everyRowIsDecidedFromTheRegistry(String key, Engine engine) {
		Endpoint row = ApiTable.rows().stream().filter(r -> r.key().equals(key)).findFirst().orElseThrow();
		Recorded lookups = new Recorded(engine);
		Admission admission = new Admission(Policies.enforcing(), lookups);
		String body = BODIES.getOrDefault(key, "");
		Admission.BodyReader reader = Admission.BodyReader.of(body.getBytes(StandardCharsets.UTF_8));
		Headers headers = body.isEmpty() ? Headers.of("Authorization", "Bearer good")
				: Headers.of("Authorization", "Bearer good", "Content-Type", "application/json");
		String target = target(row);
		Mono<Forward> admitted = admission.admit(row.method(), target, headers, reader, Admission.Connection.PLAIN);

		if (row.access() != Endpoint.Access.ALLOWED) {
			DockerApiException refusal = catchThrowableOfType(DockerApiException.class, admitted::block);
			assertThat(refusal).as(key).isNotNull();
			assertThat(refusal.status().value()).isEqualTo(403);
			assertThat(lookups.asked).as("a refused request asks nothing of the engine").containsExactly("authenticate");
			return;
		}
		Forward forward = admitted.block();
		assertThat(forward).isNotNull();
		assertThat(forward.endpoint()).isEqualTo(row);
		assertThat(forward.tenant()).isEqualTo(TENANT);
		assertThat(forward.engine()).isSameAs(engine);
		assertThat(forward.body()).isEqualTo(row.body());
		assertThat(forward.rawTarget()).isEqualTo(target);
		if (engine.kind() == Engine.Kind.SHARED) {
			assertThat(forward.target()).isEqualTo("/owned" + target);
			assertThat(forward.view()).isNotNull();
			assertThat(forward.view().shape().name()).isEqualTo(switch (row.view().rewrite()) {
				case UNTOUCHED -> "UNCHANGED";
				case WHOLE -> "JSON";
				case LINES -> "LINES";
			});
			assertThat(lookups.asked).containsExactly("authenticate", "engine", "owned");
		}
		else {
			assertThat(forward.target()).as("an engine of its own gets the tenant's names as they are").isEqualTo(target);
			assertThat(forward.view()).isNull();
			assertThat(lookups.asked).containsExactly("authenticate", "engine");
		}
		if (row.body() == Body.JSON) {
			assertThat(forward.checkedBody()).as("the body the policy produced").isNotNull();
		}
		else {
			assertThat(forward.checkedBody()).isNull();
		}
	}

	@Test
	void aKeyKnownAtOnceIsNotLookedUpAndAnUnknownOneIsA401() {
		Recorded lookups = new Recorded(SHARED);
		Admission admission = new Admission(Policies.enforcing(), lookups);
		Forward forward = admission.admit("GET", "/v1.41/containers/json", Headers.of("Authorization", "Bearer cached"),
				Admission.BodyReader.NONE, Admission.Connection.PLAIN).block();
		assertThat(forward).isNotNull();
		assertThat(lookups.asked).doesNotContain("authenticate");

		DockerApiException refusal = catchThrowableOfType(DockerApiException.class,
				() -> admission.admit("GET", "/v1.41/containers/json", Headers.of("Authorization", "Bearer bad"),
						Admission.BodyReader.NONE, Admission.Connection.PLAIN).block());
		assertThat(refusal.status().value()).isEqualTo(401);
		assertThat(lookups.asked).containsExactly("engine", "owned", "authenticate");
	}

	@Test
	void theBodyIsRefusedBeforeTheEngineIsAskedWhoOwnsWhat() {
		Recorded lookups = new Recorded(SHARED);
		Admission admission = new Admission(Policies.enforcing(), lookups);
		DockerApiException privileged = catchThrowableOfType(DockerApiException.class,
				() -> admission.admit("POST", "/v1.41/containers/create",
						Headers.of("Authorization", "Bearer good", "Content-Type", "application/json"),
						Admission.BodyReader.of("{\"Image\":\"busybox\",\"HostConfig\":{\"Privileged\":true}}"
							.getBytes(StandardCharsets.UTF_8)),
						Admission.Connection.PLAIN).block());
		assertThat(privileged.status().value()).isEqualTo(403);
		assertThat(lookups.asked).doesNotContain("owned");
	}

	@Test
	void whereTheEndpointTakesNoBodyAnEmptyJsonOnePassesAndAnyOtherIsRefused() {
		Admission admission = new Admission(Policies.enforcing(), new Recorded(SHARED));
		Headers headers = Headers.of("Authorization", "Bearer good");
		Forward push = admission.admit("POST", "/v1.41/images/127.0.0.1:5000/x/push", headers,
				Admission.BodyReader.of("{}".getBytes(StandardCharsets.UTF_8)), Admission.Connection.PLAIN).block();
		assertThat(push.checkedBody()).asString(StandardCharsets.UTF_8).isEqualTo("{}");
		DockerApiException start = catchThrowableOfType(DockerApiException.class,
				() -> admission.admit("POST", "/v1.41/containers/web/start", headers,
						Admission.BodyReader.of("{\"x\":1}".getBytes(StandardCharsets.UTF_8)),
						Admission.Connection.PLAIN).block());
		assertThat(start.status().value()).isEqualTo(400);
		assertThat(start.getMessage()).contains("takes no request body");
	}

	@Test
	void aJsonBodyOverTheLimitIsA413() {
		Admission admission = new Admission(Policies.enforcing(), new Recorded(SHARED));
		byte[] large = ("{\"Image\":\"busybox\",\"Labels\":{\"a\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}}")
			.getBytes(StandardCharsets.UTF_8);
		DockerApiException refusal = catchThrowableOfType(DockerApiException.class,
				() -> admission.admit("POST", "/v1.41/containers/create",
						Headers.of("Authorization", "Bearer good", "Content-Type", "application/json"),
						Admission.BodyReader.of(large), Admission.Connection.PLAIN).block());
		assertThat(refusal.status().value()).isEqualTo(413);
	}

	@Test
	void aPullFromAPrivateAddressIsRefusedBeforeTheEngineIsChosen() {
		Recorded lookups = new Recorded(SHARED);
		Admission admission = new Admission(Policies.enforcing(), lookups);
		DockerApiException refusal = catchThrowableOfType(DockerApiException.class,
				() -> admission.admit("POST", "/v1.41/images/create?fromImage=10.1.2.3:5000/x&tag=1",
						Headers.of("Authorization", "Bearer good"), Admission.BodyReader.NONE,
						Admission.Connection.PLAIN).block());
		assertThat(refusal.status().value()).isEqualTo(403);
		assertThat(lookups.asked).containsExactly("authenticate");
	}

}
