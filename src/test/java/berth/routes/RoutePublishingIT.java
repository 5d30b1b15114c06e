package berth.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import berth.testing.Admin;
import berth.testing.BerthTest;
import berth.testing.DockerCli;
import berth.testing.Raw;
import berth.testing.Traffic;

/** Routes published to Redis as Traefik reads them, following containers, Redis and the operator. */
@BerthTest
class RoutePublishingIT extends RouteITSupport {

	static final JsonMapper JSON = JsonMapper.builder().build();

	@Autowired
	JdbcClient jdbc;

	@Test
	void aLabelledContainerIsServedAtItsHostsTheWayTraefikReadsThem() throws Exception {
		Tenant acme = tenant("pub");
		String id = runWeb(acme, "berth.http=front:80,api:80", "hello-front");
		awaitServed(acme.host("front"), "hello-front");
		awaitServed(acme.host("api"), "hello-front");

		TraefikKv.Config config = kv();
		TraefikKv.Router front = config.routerFor(acme.host("front")).orElseThrow();
		assertThat(front.name()).isEqualTo(acme.name() + "-" + id.substring(0, 12) + "-0");
		assertThat(front.entryPoints()).containsExactly("websecure");
		assertThat(front.certResolver()).isEqualTo("le");
		assertThat(front.service()).isEqualTo(front.name());
		assertThat(config.urlFor(acme.host("front")).orElseThrow()).matches("http://[0-9.]+:80");
		assertThat(config.urlFor(DOMAIN)).as("the permanent apex route").contains("http://127.0.0.1:2375");

		// No TTLs, and Berth's own index names exactly the keys of each route.
		Map<String, String> keys = TraefikKv.dump(redis(), ROOT);
		keys.keySet().forEach(key -> assertThat(redis().ttl(key)).as(key).isEqualTo(-1L));
		Set<String> owned = redis().smembers("berth:routes:traefik:route:" + front.name());
		Set<String> expected = new HashSet<>();
		keys.keySet().stream().filter(key -> key.contains("/" + front.name() + "/")).forEach(expected::add);
		assertThat(owned).isEqualTo(expected).hasSize(5);
		assertThat(redis().smembers("berth:routes:traefik:names")).contains(front.name(), "berth-apex");

		JsonNode routes = admin.call("GET", "/api/v1/tenants/" + acme.name() + "/routes", null).json();
		assertThat(routes.size()).isEqualTo(2);
		for (JsonNode route : routes) {
			assertThat(route.get("status").asString()).isEqualTo("PUBLISHED");
			assertThat(route.get("published").asBoolean()).isTrue();
			assertThat(route.get("container").asString()).isEqualTo(id);
			assertThat(route.get("port").asInt()).isEqualTo(80);
			assertThat(route.get("host").asString()).endsWith("." + acme.name() + "." + DOMAIN);
			assertThat(route.get("target").asString()).isEqualTo(config.urlFor(route.get("host").asString()).orElseThrow());
		}
		assertThat(management("/actuator/prometheus")).contains("berth_routes_published ")
			.contains("berth_route_publish_failures_total");
		assertThat(admin.call("GET", "/api/v1/tenants/nobody-here/routes", null).status()).isEqualTo(404);
	}

	@Test
	void theRouteFollowsTheContainerWhoeverDrivesIt() {
		Tenant acme = tenant("life");
		String id = runWeb(acme, "com.wip.http=front:80", "v1");
		String host = acme.host("front");
		awaitServed(host, "v1");
		String router = kv().routerFor(host).orElseThrow().name();

		acme.cli().docker("stop", "-t", "1", id).assertOk();
		awaitGone(host);
		assertThat(kv().services()).doesNotContainKey(router.toLowerCase());
		assertThat(redis().exists("berth:routes:traefik:route:" + router)).isZero();
		assertThat(routes(acme).get(0).get("status").asString()).isEqualTo("STOPPED");

		acme.cli().docker("start", id).assertOk();
		awaitServed(host, "v1");

		// The engine's own events count, not only requests through Berth.
		DockerCli.engine().docker("kill", id).assertOk();
		awaitGone(host);
		DockerCli.engine().docker("start", id).assertOk();
		awaitServed(host, "v1");
		DockerCli.engine().docker("restart", "-t", "1", id).assertOk();
		awaitServed(host, "v1");

		acme.cli().docker("rm", "-f", id).assertOk();
		awaitGone(host);
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(routes(acme).size()).isZero());
	}

	@Test
	void aNewerContainerTakesAHostOverAndHandsItBack() {
		Tenant acme = tenant("swap");
		String host = acme.host("front");
		runWeb(acme, "berth.http=front:80", "blue");
		awaitServed(host, "blue");
		String green = runWeb(acme, "berth.http=front:80", "green");
		awaitServed(host, "green");
		assertThat(routes(acme).findValuesAsString("status")).containsExactlyInAnyOrder("PUBLISHED", "SHADOWED");
		acme.cli().docker("stop", "-t", "1", green).assertOk();
		awaitServed(host, "blue");
	}

	@Test
	void aFlushedRedisIsRepublishedWithinSeconds() {
		Tenant acme = tenant("flush");
		runWeb(acme, "berth.http=front:80", "survivor");
		awaitServed(acme.host("front"), "survivor");
		redis().flushdb();
		long flushed = System.nanoTime();
		awaitServed(acme.host("front"), "survivor");
		assertThat(Duration.ofNanos(System.nanoTime() - flushed)).isLessThan(Duration.ofSeconds(5));
		assertThat(kv().urlFor(DOMAIN)).isPresent();
	}

	@Test
	void aResyncRebuildsWhatBerthMissed() {
		Tenant acme = tenant("resync");
		String id = runWeb(acme, "berth.http=front:80", "missed");
		String host = acme.host("front");
		awaitServed(host, "missed");
		// As if Berth had missed the start: no row in the database, nothing in Redis (the apex stays,
		// so only the periodic resync from the engine's state can bring the route back).
		String router = kv().routerFor(host).orElseThrow().name();
		jdbc.sql("delete from route where container_id = ?").param(id).update();
		redis().del(redis().smembers("berth:routes:traefik:route:" + router).toArray(String[]::new));
		assertThat(kv().routerFor(host)).isEmpty();
		awaitServed(host, "missed");
		assertThat(routes(acme).get(0).get("status").asString()).isEqualTo("PUBLISHED");
	}

	@Test
	void withoutRedisTheDockerApiWorksAndTheRouteIsPublishedWhenRedisReturns() throws Exception {
		Tenant acme = tenant("outage");
		String host = acme.host("front");
		Traffic traffic = new Traffic(
				() -> Raw.request(port, "GET", "/v1.41/containers/json", "Authorization: Bearer " + acme.key()).status());
		redisLink.stop();
		try (traffic) {
			runWeb(acme, "berth.http=front:80", "patient");
			await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
				JsonNode health = JSON.readTree(management("/actuator/health"));
				assertThat(health.get("status").asString()).as("Docker API still up: DEGRADED answers 200")
					.isEqualTo("DEGRADED");
				assertThat(health.get("components").get("routes").get("status").asString()).isEqualTo("DEGRADED");
				assertThat(health.get("components").get("routes").get("details").get("error").asString())
					.containsIgnoringCase("connect");
				assertThat(failures()).isPositive();
			});
			assertThat(acme.cli().docker("ps", "-q").assertOk().trimmed()).isNotEmpty();
			assertThat(JSON.readTree(management("/actuator/health/readiness")).get("status").asString())
				.as("ready without Redis").isEqualTo("UP");
			assertThat(traffic.statuses()).as("the tenant's requests while Redis is away; %s", traffic.failures())
				.containsOnlyKeys(200);
		}
		finally {
			redisLink.start();
		}
		assertThat(traffic.statuses()).as("the tenant's requests through the outage and the return").containsOnlyKeys(200);
		awaitServed(host, "patient");
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			JsonNode health = JSON.readTree(management("/actuator/health"));
			assertThat(health.get("components").get("routes").get("status").asString()).isEqualTo("UP");
			assertThat(health.get("components").get("routes").get("details").get("published").asInt()).isPositive();
		});
	}

	@Test
	void aTenantCannotRouteAnotherTenantsHosts() {
		Tenant owner = tenant("own");
		Tenant intruder = tenant("intr");
		String host = owner.host("front");
		runWeb(owner, "berth.http=front:80", "the-owner");
		awaitServed(host, "the-owner");

		DockerCli.Result refused = intruder.cli().docker("create", "--label", "berth.http=" + host + ":80", "busybox:latest");
		assertThat(refused.exitCode()).isNotZero();
		assertThat(refused.err()).contains("berth: host '" + host + "' lies under the platform domain");
		assertThat(intruder.cli().docker("create", "--label", "berth.tenant=" + owner.name(), "busybox:latest").err())
			.as("owner labels are Berth's").contains("reserved for Berth");

		// Whatever passes create (here an image label) is checked again when publishing.
		String image = "berth-route-test/intruder:" + intruder.name();
		String base = DockerCli.engine().docker("create", "busybox:latest").assertOk().trimmed();
		DockerCli.engine().docker("commit", "-c", "LABEL berth.http=" + host + ":80,front:80", base, image).assertOk();
		DockerCli.engine().docker("rm", base).assertOk();
		try {
			containers.add(intruder.cli()
				.docker("run", "-d", image, "sh", "-c", serve("the-intruder"))
				.assertOk()
				.trimmed());
		}
		finally {
			DockerCli.engine().docker("rmi", "-f", image);
		}
		awaitServed(intruder.host("front"), "the-intruder");
		await().atMost(Duration.ofSeconds(10)).untilAsserted(
				() -> assertThat(routes(intruder).findValuesAsString("status")).contains("NOT_ALLOWED", "PUBLISHED"));
		awaitServed(host, "the-owner");
		assertThat(kv().routers().values().stream().filter(r -> r.rule().equals("Host(`" + host + "`)")).count()).isOne();
	}

	@Test
	void customDomainsAreRegisteredForOneTenantOutsideThePlatformDomain() {
		Tenant shop = tenant("shop");
		Tenant other = tenant("other");
		String domain = "shop-" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36) + ".example.com";
		String domains = "/api/v1/tenants/" + shop.name() + "/domains";
		String otherDomains = "/api/v1/tenants/" + other.name() + "/domains";

		Admin.Response registered = admin.call("POST", domains, Map.of("domain", domain.toUpperCase() + "."));
		assertThat(registered.status()).as(registered.body()).isEqualTo(201);
		assertThat(registered.json().get("domain").asString()).isEqualTo(domain);
		assertThat(admin.call("GET", domains, null).json().findValuesAsString("domain")).containsExactly(domain);
		assertProblem(admin.call("POST", domains, Map.of("domain", domain)), 409, "already registered");
		assertProblem(admin.call("POST", otherDomains, Map.of("domain", domain)), 409, "claimed by tenant '" + shop.name() + "'");
		assertProblem(admin.call("POST", otherDomains, Map.of("domain", "x." + shop.name() + "." + DOMAIN)), 409,
				"subdomain");
		assertProblem(admin.call("POST", otherDomains, Map.of("domain", DOMAIN)), 400, "platform's own domain");
		assertProblem(admin.call("POST", otherDomains, Map.of("domain", "api." + DOMAIN)), 400, "reserved");
		assertProblem(admin.call("POST", otherDomains, Map.of("domain", "x.api." + DOMAIN)), 400, "reserved");
		assertProblem(admin.call("POST", otherDomains, Map.of("domain", "x." + other.name() + "." + DOMAIN)), 400,
				"keyword");
		assertProblem(admin.call("POST", otherDomains, Map.of("domain", "x.nobody-at-all." + DOMAIN)), 400,
				"outside it");
		assertProblem(admin.call("POST", otherDomains, Map.of("domain", "not_a_domain")), 400, "DNS name");
		assertProblem(admin.call("POST", otherDomains, Map.of()), 400, "DNS name");
		assertProblem(admin.call("POST", "/api/v1/tenants/nobody-here/domains", Map.of("domain", "a.example.com")), 404,
				"no tenant");

		runWeb(shop, "berth.http=" + domain + ":80", "custom");
		awaitServed(domain, "custom");
		DockerCli.Result refused = other.cli().docker("create", "--label", "com.wip.http=" + domain + ":80", "busybox:latest");
		assertThat(refused.exitCode()).isNotZero();
		assertThat(refused.err()).contains("berth: custom domain '" + domain + "' is not registered for tenant '"
				+ other.name() + "'");
		assertThat(other.cli().docker("create", "--label", "berth.http=unheard-of.example.net:80", "busybox:latest").err())
			.contains("is not registered");

		assertThat(admin.call("DELETE", domains + "/" + domain, null).status()).isEqualTo(204);
		awaitGone(domain);
		assertThat(routes(shop).findValuesAsString("status")).containsExactly("NOT_ALLOWED");
		assertProblem(admin.call("DELETE", domains + "/" + domain, null), 404, "no domain");
	}

	@Test
	void malformedLabelsAreRefusedWhenTheContainerIsCreated() {
		Tenant acme = tenant("bad");
		Map<String, String> refusals = Map.of("berth.http=front", "has no port", "berth.http=front:99999", "bad port",
				"berth.http=fr_ont:80", "bad host", "berth.http=front:80,front:81", "twice", "com.wip.http=front:0",
				"bad port");
		refusals.forEach((label, reason) -> {
			DockerCli.Result refused = acme.cli().docker("create", "--label", label, "busybox:latest");
			assertThat(refused.exitCode()).as(label).isNotZero();
			assertThat(refused.err()).as(label).contains("Error response from daemon: berth: ").contains(reason);
		});
		assertThat(DockerCli.engine().docker("ps", "-aq", "--filter", "label=berth.tenant=" + acme.name()).trimmed())
			.isEmpty();
	}

	private JsonNode routes(Tenant tenant) {
		Admin.Response response = admin.call("GET", "/api/v1/tenants/" + tenant.name() + "/routes", null);
		assertThat(response.status()).as(response.body()).isEqualTo(200);
		return response.json();
	}

	private double failures() throws Exception {
		return management("/actuator/prometheus").lines()
			.filter(line -> line.startsWith("berth_route_publish_failures_total"))
			.mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
			.sum();
	}

	private static void assertProblem(Admin.Response response, int status, String detailPart) {
		assertThat(response.status()).as(response.body()).isEqualTo(status);
		assertThat(response.contentType()).startsWith("application/problem+json");
		assertThat(response.json().get("detail").asString()).contains(detailPart);
	}

}
