package berth.account;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

import berth.testing.Admin;
import berth.testing.Admin.Response;
import berth.testing.BerthTest;

@BerthTest
class AdminApiIT {

	@LocalServerPort
	int port;

	@Autowired
	JdbcClient jdbc;

	Admin admin;

	@BeforeEach
	void setUp() {
		admin = new Admin(port);
	}

	@Test
	void tenantLifecycle() {
		String name = Admin.uniqueName("life");
		Response created = admin.call("POST", "/api/v1/tenants", Map.of("name", name, "email", "ops@acme.test"));
		assertThat(created.status()).isEqualTo(201);
		assertThat(created.json().get("name").asString()).isEqualTo(name);
		assertThat(created.json().get("email").asString()).isEqualTo("ops@acme.test");

		Response taken = admin.call("POST", "/api/v1/tenants", Map.of("name", name, "email", "x@acme.test"));
		assertProblem(taken, 409, "already exists");

		Response one = admin.call("GET", "/api/v1/tenants/" + name, null);
		assertThat(one.status()).isEqualTo(200);
		assertThat(one.json().get("id").asString()).isEqualTo(created.json().get("id").asString());

		Response all = admin.call("GET", "/api/v1/tenants", null);
		assertThat(all.status()).isEqualTo(200);
		assertThat(all.json().findValuesAsString("name")).contains(name);

		assertThat(admin.call("DELETE", "/api/v1/tenants/" + name, null).status()).isEqualTo(204);
		assertProblem(admin.call("GET", "/api/v1/tenants/" + name, null), 404, "no tenant");
		assertProblem(admin.call("DELETE", "/api/v1/tenants/" + name, null), 404, "no tenant");

		// the deleted tenant's objects on the engine carry its name until its teardown has removed them
		assertProblem(admin.call("POST", "/api/v1/tenants", Map.of("name", name, "email", "new@acme.test")), 409,
				"belonged to a deleted tenant whose objects are being removed");
		assertProblem(admin.call("GET", "/api/v1/tenants/" + name, null), 404, "no tenant");
		Response teardown = admin.call("GET", "/api/v1/teardowns/" + name, null);
		assertThat(teardown.status()).isEqualTo(200);
		assertThat(teardown.json().get("tenantId").asString()).isEqualTo(created.json().get("id").asString());
		assertThat(teardown.json().get("requestedAt").isNull()).isFalse();

		// then the name is free again
		await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> assertThat(
				admin.call("GET", "/api/v1/teardowns/" + name, null).json().get("state").asString()).isEqualTo("finished"));
		Response again = admin.call("POST", "/api/v1/tenants", Map.of("name", name, "email", "new@acme.test"));
		assertThat(again.status()).as(again.body()).isEqualTo(201);
		assertThat(again.json().get("id").asString()).isNotEqualTo(created.json().get("id").asString());
		assertThat(admin.call("DELETE", "/api/v1/tenants/" + name, null).status()).isEqualTo(204);
	}

	@Test
	void teardownsAreProblemsWhenUnknown() {
		assertProblem(admin.call("GET", "/api/v1/teardowns/nobody-was-here", null), 404, "no teardown");
		Response unfinished = admin.call("GET", "/api/v1/teardowns?unfinished=true", null);
		assertThat(unfinished.status()).isEqualTo(200);
		assertThat(unfinished.json().findValuesAsString("state")).doesNotContain("finished");
	}

	@Test
	void invalidTenantsAreRefusedAsProblems() {
		assertProblem(admin.call("POST", "/api/v1/tenants", Map.of("name", "No_Good", "email", "ops@acme.test")), 400,
				"DNS label");
		assertProblem(admin.call("POST", "/api/v1/tenants", Map.of("name", "ab", "email", "ops@acme.test")), 400,
				"DNS label");
		assertProblem(admin.call("POST", "/api/v1/tenants", Map.of("name", Admin.uniqueName("mail"), "email", "nope")),
				400, "email");
		assertProblem(admin.call("POST", "/api/v1/tenants", Map.of("name", "traefik", "email", "ops@acme.test")), 400,
				"reserved");
		assertProblem(admin.call("POST", "/api/v1/tenants", "{not json"), 400, "");
		assertProblem(admin.call("POST", "/api/v1/tenants", Map.of("email", "ops@acme.test")), 400, "name");
	}

	@Test
	void keysAreShownOnceAndStoredOnlyAsHashes() {
		Admin.TenantKey issued = admin.newTenant("keys");
		assertThat(issued.key()).matches("bk[a-z2-7]{42}");

		Response list = admin.call("GET", "/api/v1/tenants/" + issued.tenant() + "/keys", null);
		assertThat(list.status()).isEqualTo(200);
		assertThat(list.body()).contains(issued.keyId()).doesNotContain(issued.key()).doesNotContain(issued.key().substring(12));

		byte[] stored = jdbc.sql("select secret_hash from api_key where id = ?").param(issued.keyId()).query(byte[].class).single();
		assertThat(new String(stored, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain(issued.key().substring(12));
		assertThat(stored).isEqualTo(KeyFormat.hash(issued.key().substring(12)));
	}

	@Test
	void issuedKeyTellsTheDockerHost() {
		String name = Admin.uniqueName("host");
		admin.call("POST", "/api/v1/tenants", Map.of("name", name, "email", "ops@acme.test"));
		String expires = Instant.now().plus(1, ChronoUnit.DAYS).toString();
		Response issued = admin.call("POST", "/api/v1/tenants/" + name + "/keys",
				Map.of("description", "laptop", "expiresAt", expires));
		assertThat(issued.status()).isEqualTo(201);
		assertThat(issued.json().get("dockerHost").asString()).isEqualTo("tcp://" + name + ".berth.localhost:2375");
		assertThat(issued.json().get("description").asString()).isEqualTo("laptop");
		assertThat(Instant.parse(issued.json().get("expiresAt").asString())).isEqualTo(Instant.parse(expires));

		assertProblem(admin.call("POST", "/api/v1/tenants/" + name + "/keys", Map.of("expiresAt", "2001-01-01T00:00:00Z")),
				400, "future");
		assertProblem(admin.call("POST", "/api/v1/tenants/nobody-here/keys", Map.of()), 404, "no tenant");
	}

	@Test
	void revokingAKeyMarksItAndTwiceIsNotFound() {
		Admin.TenantKey issued = admin.newTenant("revoke");
		String keys = "/api/v1/tenants/" + issued.tenant() + "/keys";
		assertThat(admin.call("DELETE", keys + "/" + issued.keyId(), null).status()).isEqualTo(204);
		Response list = admin.call("GET", keys, null);
		assertThat(list.json().get(0).get("revokedAt").isNull()).isFalse();
		assertProblem(admin.call("DELETE", keys + "/" + issued.keyId(), null), 404, "no active key");
	}

	@Test
	void onlyTheAdminTokenOpensTheAdminApi() {
		assertProblem(admin.call("GET", "/api/v1/tenants", null, null), 401, "admin");
		assertProblem(admin.call("GET", "/api/v1/tenants", null, "wrong-token"), 401, "admin");
		Admin.TenantKey tenant = admin.newTenant("notadmin");
		assertProblem(admin.call("GET", "/api/v1/tenants", null, tenant.key()), 401, "admin");
		assertProblem(admin.call("POST", "/api/v1/tenants", Map.of("name", Admin.uniqueName("x"), "email", "a@b.cd"),
				tenant.key()), 401, "admin");
	}

	@Test
	void apiPathsAreNeverForwardedToTheEngine() {
		Admin.TenantKey tenant = admin.newTenant("noforward");
		// A tenant key on an unknown /api path: refused by the admin chain, not proxied (the engine would say "page not found").
		Response viaTenant = admin.call("GET", "/api/v1.41/containers/json", null, tenant.key());
		assertProblem(viaTenant, 401, "admin");
		Response unknown = admin.call("GET", "/api/v1.41/containers/json", null);
		assertThat(unknown.status()).isEqualTo(404);
		assertThat(unknown.contentType()).startsWith("application/problem+json");
		assertThat(unknown.body()).doesNotContain("page not found");
	}

	@Test
	void plansCanBeListedAndAssigned() {
		Admin.TenantKey tenant = admin.newTenant("plans");
		Response plans = admin.call("GET", "/api/v1/plans", null);
		assertThat(plans.status()).isEqualTo(200);
		assertThat(plans.json().findValuesAsString("name")).containsExactly("small", "standard", "vm", "large");

		Response current = admin.call("GET", "/api/v1/tenants/" + tenant.tenant() + "/plan", null);
		assertThat(current.json().get("plan").get("name").asString()).isEqualTo("standard");

		Response moved = admin.call("PUT", "/api/v1/tenants/" + tenant.tenant() + "/plan", Map.of("plan", "large"));
		assertThat(moved.status()).isEqualTo(200);
		assertThat(moved.json().get("plan").get("memoryBytes").asLong()).isEqualTo(4294967296L);
		assertThat(admin.call("GET", "/api/v1/tenants/" + tenant.tenant() + "/plan", null).json().get("plan").get("name").asString())
			.isEqualTo("large");

		assertProblem(admin.call("PUT", "/api/v1/tenants/" + tenant.tenant() + "/plan", Map.of("plan", "gold")), 400, "no plan");
		assertProblem(admin.call("PUT", "/api/v1/tenants/nobody-here/plan", Map.of("plan", "large")), 404, "no tenant");
	}

	private static void assertProblem(Response response, int status, String detailPart) {
		assertThat(response.status()).as(response.body()).isEqualTo(status);
		assertThat(response.contentType()).startsWith("application/problem+json");
		assertThat(response.json().get("status").asInt()).isEqualTo(status);
		assertThat(response.json().get("detail").asString()).contains(detailPart);
		assertThat(response.body()).doesNotContain("Exception").doesNotContain("\tat ");
	}

}
