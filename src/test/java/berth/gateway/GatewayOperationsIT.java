package berth.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import berth.testing.Admin;
import berth.testing.BerthTest;
import berth.testing.Forwarder;
import berth.testing.Raw;
import berth.testing.Traffic;

/**
 * Berth served by an engine reached over TCP through a forwarder the test can take down: outages,
 * recovery, key lifetimes and the operator's view (metrics, health).
 */
@BerthTest
@DirtiesContext // its engine is a forwarder that goes away with the class: no cached context may outlive it
class GatewayOperationsIT {

	static final Forwarder engine = Forwarder.toDockerEngine();

	@DynamicPropertySource
	static void engineOverTcp(DynamicPropertyRegistry registry) {
		engine.serveAsEngine(registry);
	}

	@AfterAll
	static void closeEngine() {
		engine.close();
	}

	@LocalServerPort
	int port;

	@LocalManagementPort
	int managementPort;

	Admin admin;

	@BeforeEach
	void setUp() {
		admin = new Admin(port);
	}

	@Test
	void engineOutageIsA502AndBerthRecoversWhenItReturns() {
		Admin.TenantKey tenant = admin.newTenant("outage");
		String auth = "Authorization: Bearer " + tenant.key();
		assertThat(Raw.request(port, "GET", "/v1.41/version", auth).status()).isEqualTo(200);
		engine.stop();
		try {
			Raw.Answer down = Raw.request(port, "GET", "/v1.41/version", auth);
			assertThat(down.status()).isEqualTo(502);
			assertThat(down.head()).containsIgnoringCase("Content-Type: application/json");
			assertThat(down.body()).isEqualTo("{\"message\":\"berth: the Docker engine is not reachable right now\"}\n");
			Raw.Answer hijack = Raw.request(port, "POST", "/v1.41/containers/x/attach?stream=1", auth,
					"Connection: Upgrade", "Upgrade: tcp");
			assertThat(hijack.status()).isEqualTo(502);
			assertThat(hijack.body()).contains("berth: the Docker engine is not reachable");
		}
		finally {
			engine.start();
		}
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(Raw.request(port, "GET", "/v1.41/version", auth).status()).isEqualTo(200));
	}

	@Test
	void theTenantsKeyNeverReachesTheEngineOnAnyCarrier() {
		Admin.TenantKey tenant = admin.newTenant("leak");
		String host = "Host: " + tenant.key() + ".berth.localhost:2375";
		// the fast path (a bodyless call), the gateway (a JSON body the policy reads) and a hijack
		assertThat(Raw.request(port, "GET", "/v1.41/containers/json", host).status()).isEqualTo(200);
		Raw.Answer created = Raw.send(port, "POST", "/v1.41/containers/create?name=leak",
				"{\"Image\":\"busybox\",\"Cmd\":[\"true\"]}".getBytes(java.nio.charset.StandardCharsets.UTF_8), false, host,
				"Content-Type: application/json");
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		Raw.Answer attached = Raw.head(port, "POST", "/v1.41/containers/leak/attach?stream=1&stdout=1", host,
				"Connection: Upgrade", "Upgrade: tcp");
		assertThat(attached.status()).as(attached.head()).isEqualTo(101);
		Raw.Answer withHeader = Raw.head(port, "POST", "/v1.41/containers/leak/attach?stream=1&stdout=1",
				"Authorization: Bearer " + tenant.key(), "Connection: Upgrade", "Upgrade: tcp");
		assertThat(withHeader.status()).as(withHeader.head()).isEqualTo(101);
		assertThat(Raw.request(port, "DELETE", "/v1.41/containers/leak?force=1", host).status()).isEqualTo(204);

		String seenByEngine = engine.sent();
		assertThat(seenByEngine).contains("GET /v1.41/containers/json", "POST /v1.41/containers/create", "/attach?stream=1");
		assertThat(seenByEngine).doesNotContain(tenant.key()).doesNotContainIgnoringCase("Authorization:");
		String secret = tenant.key().substring(tenant.key().length() - 20);
		assertThat(seenByEngine).doesNotContain(secret);
	}

	@Test
	void underTrafficEveryRequestGetsA502DuringAnEngineOutageAndA200AfterIt() throws Exception {
		Admin.TenantKey tenant = admin.newTenant("steady");
		String auth = "Authorization: Bearer " + tenant.key();
		try (Traffic traffic = new Traffic(() -> Raw.request(port, "GET", "/v1.41/containers/json", auth).status())) {
			await().atMost(Duration.ofSeconds(10)).until(() -> traffic.statuses().getOrDefault(200, 0) >= 5);
			engine.stop();
			try {
				Thread.sleep(500);
				traffic.reset();
				Thread.sleep(2_000);
				assertThat(traffic.statuses()).as("answers while the engine is away; %s", traffic.failures())
					.containsOnlyKeys(502);
				assertThat(health("/actuator/health/liveness")).isEqualTo(200);
				assertThat(health("/actuator/health/readiness")).isEqualTo(200);
			}
			finally {
				engine.start();
			}
			await().atMost(Duration.ofSeconds(10)).until(() -> traffic.statuses().getOrDefault(200, 0) > 0);
			traffic.reset();
			Thread.sleep(1_000);
			assertThat(traffic.statuses()).as("answers once the engine is back; %s", traffic.failures())
				.containsOnlyKeys(200);
		}
	}

	private int health(String path) throws Exception {
		return HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path)).build(),
					HttpResponse.BodyHandlers.discarding())
			.statusCode();
	}

	@Test
	void missingAndBadKeysAre401InTheEngineShape() {
		Raw.Answer none = Raw.request(port, "GET", "/_ping");
		assertThat(none.status()).isEqualTo(401);
		assertThat(none.body()).startsWith("{\"message\":\"berth: no API key");
		Raw.Answer bad = Raw.request(port, "GET", "/_ping", "Authorization: Bearer bk" + "a".repeat(42));
		assertThat(bad.status()).isEqualTo(401);
		assertThat(bad.body()).contains("berth: this API key is not valid");
		Raw.Answer garbage = Raw.request(port, "GET", "/_ping", "Authorization: Bearer hello");
		assertThat(garbage.status()).isEqualTo(401);
	}

	@Test
	void keyInHostAndTenantInHost() {
		Admin.TenantKey acme = admin.newTenant("hosted");
		Admin.TenantKey other = admin.newTenant("other");
		Raw.Answer keyInHost = Raw.request(port, "GET", "/_ping", "Host: " + acme.key() + ".berth.localhost:2375");
		assertThat(keyInHost.status()).isEqualTo(200);
		assertThat(keyInHost.head()).contains("Api-Version: 1.41");

		Raw.Answer own = Raw.request(port, "GET", "/_ping", "Host: " + acme.tenant() + ".berth.localhost:2375",
				"Authorization: Bearer " + acme.key());
		assertThat(own.status()).isEqualTo(200);

		Raw.Answer foreign = Raw.request(port, "GET", "/_ping", "Host: " + acme.tenant() + ".berth.localhost:2375",
				"Authorization: Bearer " + other.key());
		assertThat(foreign.status()).isEqualTo(403);
		assertThat(foreign.body()).contains("does not belong to tenant '" + acme.tenant() + "'");
	}

	@Test
	void revokedKeysAndDeletedTenantsStopWorkingWithinFiveSeconds() {
		Admin.TenantKey revoked = admin.newTenant("revoked");
		Admin.TenantKey deleted = admin.newTenant("deleted");
		for (Admin.TenantKey key : new Admin.TenantKey[] { revoked, deleted }) {
			assertThat(Raw.request(port, "GET", "/_ping", "Authorization: Bearer " + key.key()).status()).isEqualTo(200);
		}
		Instant start = Instant.now();
		assertThat(admin.call("DELETE", "/api/v1/tenants/" + revoked.tenant() + "/keys/" + revoked.keyId(), null).status())
			.isEqualTo(204);
		assertThat(admin.call("DELETE", "/api/v1/tenants/" + deleted.tenant(), null).status()).isEqualTo(204);
		await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
			Raw.Answer answer = Raw.request(port, "GET", "/_ping", "Authorization: Bearer " + revoked.key());
			assertThat(answer.status()).isEqualTo(401);
			assertThat(answer.body()).contains("revoked");
			assertThat(Raw.request(port, "GET", "/_ping", "Authorization: Bearer " + deleted.key()).status()).isEqualTo(401);
		});
		assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(5));
	}

	@Test
	void expiredKeysStopWorking() {
		Admin.TenantKey tenant = admin.newTenant("expiring");
		Admin.Response issued = admin.call("POST", "/api/v1/tenants/" + tenant.tenant() + "/keys",
				Map.of("expiresAt", Instant.now().plusSeconds(2).toString()));
		String key = issued.json().get("key").asString();
		assertThat(Raw.request(port, "GET", "/_ping", "Authorization: Bearer " + key).status()).isEqualTo(200);
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
			Raw.Answer answer = Raw.request(port, "GET", "/_ping", "Authorization: Bearer " + key);
			assertThat(answer.status()).isEqualTo(401);
			assertThat(answer.body()).contains("expired");
		});
	}

	@Test
	void metricsAndHealthLiveOnTheManagementPortOnly() throws Exception {
		Admin.TenantKey tenant = admin.newTenant("metrics");
		String auth = "Authorization: Bearer " + tenant.key();
		Raw.request(port, "GET", "/v1.41/containers/json", auth);
		Raw.request(port, "GET", "/v1.41/containers/0123456789abcdef/json", auth);
		Raw.request(port, "GET", "/_ping", "Authorization: Bearer wrong");

		HttpClient http = HttpClient.newHttpClient();
		String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/actuator/prometheus")).build(),
				HttpResponse.BodyHandlers.ofString()).body();
		assertThat(metrics).contains("berth_requests_seconds_count{endpoint=\"/containers/json\",method=\"GET\",status=\"200\"}")
			.contains("endpoint=\"/containers/{id}/json\"")
			.doesNotContain("0123456789abcdef")
			.contains("berth_authentication_failures_total{reason=\"malformed\"}")
			.contains("berth_relayed_bytes_total{direction=\"downstream\",kind=\"http\"}")
			.contains("berth_hijacked_connections_open");
		String health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/actuator/health")).build(),
				HttpResponse.BodyHandlers.ofString()).body();
		assertThat(health).contains("\"status\":\"UP\"");

		Raw.Answer onTenantPort = Raw.request(port, "GET", "/actuator/prometheus", auth);
		assertThat(onTenantPort.body()).doesNotContain("berth_requests");
	}

}
