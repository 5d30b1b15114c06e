package berth.outage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import berth.testing.Admin;
import berth.testing.BerthTest;
import berth.testing.DockerCli;
import berth.testing.Forwarder;
import berth.testing.Raw;
import berth.testing.Traffic;

/**
 * Postgres goes away under traffic and comes back, without Berth being restarted. Berth reaches the
 * real test database through a forwarder; "Postgres stops" is the forwarder cutting every connection
 * and refusing new ones, so the shared Postgres that other tests use is never touched. What the
 * tenants were doing must go on, what nobody knew must be a 503 that says so, and the admin API, the
 * health endpoints and the metrics must tell the truth.
 */
@BerthTest
@DirtiesContext // its database is a forwarder that goes away with the class
class DatabaseOutageIT {

	static final String DATABASE = System.getenv().getOrDefault("BERTH_TEST_DATABASE", "berth_test");

	static final Forwarder postgres = Forwarder.toLocalPort(5432);

	static final String UNAVAILABLE = "{\"message\":\"berth: the account database is unavailable, try again shortly\"}\n";

	static final JsonMapper JSON = JsonMapper.builder().build();

	@DynamicPropertySource
	static void databaseThroughForwarder(DynamicPropertyRegistry registry) {
		postgres.start();
		registry.add("spring.datasource.url", () -> "jdbc:postgresql://127.0.0.1:" + postgres.port() + "/" + DATABASE);
		registry.add("berth.auth.last-used-flush", () -> "PT1S");
	}

	@AfterAll
	static void closeForwarder() {
		postgres.close();
	}

	@LocalServerPort
	int port;

	@LocalManagementPort
	int managementPort;

	final HttpClient http = HttpClient.newHttpClient();

	final DockerCli engine = DockerCli.engine();

	@Test
	void tenantsKeepWorkingWhilePostgresIsAwayAndChangesApplyWithinFiveSecondsOfItsReturn() throws Exception {
		Admin admin = new Admin(port);
		// working: ran a container and listed, so its key and its plan are known
		Admin.TenantKey working = admin.newTenant("steady");
		// listed only: its key is known, its plan is not
		Admin.TenantKey listing = admin.newTenant("lister");
		// revoked before the outage, and seen revoked
		Admin.TenantKey revoked = admin.newTenant("revoked");
		// issued but never used: Berth has never seen it
		Admin.TenantKey unseen = admin.newTenant("unseen");
		// revoked in the database during the outage, as another replica that still reached it would
		Admin.TenantKey revokedMeanwhile = admin.newTenant("meanwhile");
		List<String> tenants = List.of(working.tenant(), listing.tenant(), revoked.tenant(), unseen.tenant(),
				revokedMeanwhile.tenant());
		DockerCli cli = DockerCli.forKey(port, working.key());
		try {
			cli.docker("run", "--rm", "busybox", "true").assertOk();
			for (Admin.TenantKey key : List.of(working, listing, revokedMeanwhile)) {
				assertThat(ps(key).status()).isEqualTo(200);
			}
			assertThat(admin.call("DELETE", "/api/v1/tenants/" + revoked.tenant() + "/keys/" + revoked.keyId(), null)
				.status()).isEqualTo(204);
			assertThat(ps(revoked).status()).isEqualTo(401);

			try (Traffic traffic = new Traffic(() -> ps(working).status())) {
				Instant cut = Instant.now();
				postgres.stop();
				try {
					// the first admin call meets the database as it is: a 503 after the connection timeout, not a 500
					Admin.Response first = admin.call("GET", "/api/v1/tenants/" + working.tenant(), null);
					assertThat(first.status()).isEqualTo(503);
					assertThat(first.contentType()).startsWith("application/problem+json");
					// beyond the keys' time to live (2 s in tests): every answer below is stale or unknown
					Thread.sleep(3_000);
					duringTheOutage(admin, cli, working, listing, revoked, unseen, revokedMeanwhile);
					assertThat(traffic.statuses()).as("the working tenant's requests while Postgres was away")
						.containsOnlyKeys(200);
					assertThat(traffic.statuses().get(200)).isGreaterThan(10);
				}
				finally {
					postgres.start();
				}
				Instant back = Instant.now();
				afterTheReturn(admin, working, unseen, revokedMeanwhile, back);
				assertThat(traffic.statuses()).as("the working tenant's requests, through the outage and the return")
					.containsOnlyKeys(200);
				lastUseWasKept(admin, listing, cut, back);
			}
		}
		finally {
			tenants.forEach(engine::removeOwnedBy);
		}
	}

	private void duringTheOutage(Admin admin, DockerCli cli, Admin.TenantKey working, Admin.TenantKey listing,
			Admin.TenantKey revoked, Admin.TenantKey unseen, Admin.TenantKey revokedMeanwhile) throws Exception {
		// a tenant whose key was verified runs containers as before: create, attach, start, wait, remove
		assertThat(cli.docker("run", "--rm", "busybox", "echo", "still-here").assertOk().out()).isEqualTo("still-here\n");

		// refusals known before the outage stay refusals
		Raw.Answer refused = ps(revoked);
		assertThat(refused.status()).isEqualTo(401);
		assertThat(refused.body()).contains("revoked");

		// a key never seen is neither accepted nor called wrong
		for (String key : List.of(unseen.key(), "bk" + "a".repeat(42))) {
			Raw.Answer unknown = Raw.request(port, "GET", "/v1.41/containers/json", "Authorization: Bearer " + key);
			assertThat(unknown.status()).isEqualTo(503);
			assertThat(unknown.head()).containsIgnoringCase("Retry-After: 5")
				.containsIgnoringCase("Content-Type: application/json");
			assertThat(unknown.body()).isEqualTo(UNAVAILABLE);
		}
		Raw.Answer hijack = Raw.request(port, "POST", "/v1.41/containers/x/attach?stream=1",
				"Authorization: Bearer " + unseen.key(), "Connection: Upgrade", "Upgrade: tcp");
		assertThat(hijack.status()).isEqualTo(503);
		assertThat(hijack.body()).isEqualTo(UNAVAILABLE);
		// a key that cannot be one needs no database to be refused
		assertThat(Raw.request(port, "GET", "/_ping", "Authorization: Bearer hello").status()).isEqualTo(401);

		// a create whose plan is not known is refused, not let through without limits
		Raw.Answer create = Raw.send(port, "POST", "/v1.41/containers/create",
				"{\"Image\":\"busybox\"}".getBytes(StandardCharsets.UTF_8), false,
				"Authorization: Bearer " + listing.key(), "Content-Type: application/json");
		assertThat(create.status()).isEqualTo(503);
		assertThat(create.head()).containsIgnoringCase("Retry-After: 5");
		assertThat(create.body()).isEqualTo(UNAVAILABLE);
		assertThat(engine.docker("ps", "-aq", "--filter", "label=berth.tenant=" + listing.tenant()).trimmed())
			.as("containers of the tenant whose plan was unknown, on the engine").isEmpty();
		assertThat(ps(listing).status()).isEqualTo(200);
		// a route to a custom domain needs the tenant's domains, which were never looked up
		Raw.Answer routed = Raw.send(port, "POST", "/v1.41/containers/create",
				"{\"Image\":\"busybox\",\"Labels\":{\"berth.http\":\"shop.example.com:80\"}}".getBytes(StandardCharsets.UTF_8),
				false, "Authorization: Bearer " + working.key(), "Content-Type: application/json");
		assertThat(routed.status()).isEqualTo(503);
		assertThat(routed.body()).isEqualTo(UNAVAILABLE);

		// another replica revokes a key in the database: this one cannot know until the database is back
		revokeDirectly(revokedMeanwhile.keyId());
		assertThat(ps(revokedMeanwhile).status()).isEqualTo(200);

		// the admin API has nothing to answer from
		HttpResponse<String> tenants = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/tenants"))
			.header("Authorization", "Bearer " + BerthTest.ADMIN_TOKEN)
			.timeout(Duration.ofSeconds(20))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(tenants.statusCode()).isEqualTo(503);
		assertThat(tenants.headers().firstValue("Retry-After")).hasValue("5");
		assertThat(tenants.headers().firstValue("Content-Type")).hasValueSatisfying(
				type -> assertThat(type).startsWith("application/problem+json"));
		assertThat(JSON.readTree(tenants.body()).get("detail").asString())
			.isEqualTo("the account database is unavailable, try again shortly");
		Admin.Response issue = admin.call("POST", "/api/v1/tenants/" + working.tenant() + "/keys", Map.of());
		assertThat(issue.status()).isEqualTo(503);
		assertThat(issue.json().get("detail").asString()).isEqualTo("the account database is unavailable, try again shortly");
		assertThat(admin.call("GET", "/api/v1/tenants", null, "wrong-token").status())
			.as("no admin token: told so, not about the database").isEqualTo(401);

		// health: Berth is alive and ready to serve, its database is not there
		assertThat(management("/actuator/health/liveness").statusCode()).isEqualTo(200);
		assertThat(management("/actuator/health/readiness").statusCode()).isEqualTo(200);
		HttpResponse<String> health = management("/actuator/health");
		JsonNode components = JSON.readTree(health.body()).get("components");
		assertThat(components.get("db").get("status").asString()).isEqualTo("DOWN");
		assertThat(components.get("db").get("details").get("since").asString()).isNotBlank();
		assertThat(components.get("livenessState").get("status").asString()).isEqualTo("UP");

		String metrics = management("/actuator/prometheus").body();
		assertThat(metric(metrics, "berth_dependency_up{dependency=\"database\"}")).isZero();
		assertThat(metric(metrics, "berth_serving_stale_seconds{dependency=\"database\"}")).isGreaterThan(0);
		assertThat(metric(metrics, "berth_stale_answers_total{cache=\"keys\",dependency=\"database\"}")).isGreaterThan(0);
		assertThat(metric(metrics, "berth_stale_answers_total{cache=\"plans\",dependency=\"database\"}")).isGreaterThan(0);
		assertThat(metric(metrics, "berth_authentication_failures_total{reason=\"unavailable\"}")).isGreaterThanOrEqualTo(3);
	}

	private void afterTheReturn(Admin admin, Admin.TenantKey working, Admin.TenantKey unseen,
			Admin.TenantKey revokedMeanwhile, Instant back) throws Exception {
		await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
			assertThat(ps(unseen).status()).isEqualTo(200);
			Raw.Answer meanwhile = ps(revokedMeanwhile);
			assertThat(meanwhile.status()).isEqualTo(401);
			assertThat(meanwhile.body()).contains("revoked");
			assertThat(admin.call("GET", "/api/v1/tenants/" + working.tenant(), null).status()).isEqualTo(200);
		});
		assertThat(Duration.between(back, Instant.now())).isLessThan(Duration.ofSeconds(5));
		String metrics = management("/actuator/prometheus").body();
		assertThat(metric(metrics, "berth_dependency_up{dependency=\"database\"}")).isOne();
		assertThat(metric(metrics, "berth_serving_stale_seconds{dependency=\"database\"}")).isZero();
		assertThat(JSON.readTree(management("/actuator/health").body()).get("components").get("db").get("status").asString())
			.isEqualTo("UP");
	}

	/**
	 * The lister used its key last during the outage, when its use could not be written: the time
	 * was kept and written once the database was back.
	 */
	private void lastUseWasKept(Admin admin, Admin.TenantKey listing, Instant cut, Instant back) {
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			JsonNode keys = admin.call("GET", "/api/v1/tenants/" + listing.tenant() + "/keys", null).json();
			JsonNode lastUsed = keys.get(0).get("lastUsedAt");
			assertThat(lastUsed.isNull()).isFalse();
			assertThat(Instant.parse(lastUsed.asString())).isBetween(cut, back);
		});
	}

	private Raw.Answer ps(Admin.TenantKey key) {
		return Raw.request(port, "GET", "/v1.41/containers/json", "Authorization: Bearer " + key.key());
	}

	private HttpResponse<String> management(String path) throws Exception {
		return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path))
			.timeout(Duration.ofSeconds(20))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	private static double metric(String exposition, String series) {
		return exposition.lines()
			.filter(line -> line.startsWith(series + " "))
			.mapToDouble(line -> Double.parseDouble(line.substring(series.length() + 1).trim()))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no series " + series + " in\n" + exposition));
	}

	/** Straight to the real Postgres, as a replica that still reaches it would write. */
	private static void revokeDirectly(String keyId) throws SQLException {
		try (Connection connection = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + DATABASE, "berth",
				"berth");
				PreparedStatement revoke = connection.prepareStatement("update api_key set revoked_at = now() where id = ?")) {
			revoke.setString(1, keyId);
			assertThat(revoke.executeUpdate()).isEqualTo(1);
		}
	}

}
