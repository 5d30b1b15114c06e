package berth.teardown;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

import berth.testing.Admin;
import berth.testing.BerthTest;
import berth.testing.DockerCli;

/**
 * Deleting a tenant tears down what it made on the shared engine through Berth, with the real docker
 * CLI: containers (a running one too, with its anonymous volume), volumes, networks (its default one
 * too) and its image tags; the engine is then inspected directly. Another tenant's objects stay. The
 * name is free afterwards. An object that cannot be removed fails the attempt, which is shown by the
 * admin API, counted and logged, and retried until it succeeds. A teardown whose replica died is
 * taken over once its lease has run out.
 */
@BerthTest
class TeardownIT {

	@LocalServerPort
	int port;

	@LocalManagementPort
	int managementPort;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	Teardowns teardowns;

	final DockerCli engine = DockerCli.engine();

	final List<String> tenants = new ArrayList<>();

	final List<String> engineCleanup = new ArrayList<>();

	final ListAppender<ILoggingEvent> auditLog = new ListAppender<>();

	Admin admin;

	@BeforeEach
	void setUp() {
		admin = new Admin(port);
		auditLog.start();
		((Logger) LoggerFactory.getLogger("berth.audit")).addAppender(auditLog);
	}

	@AfterEach
	void cleanUp() {
		((Logger) LoggerFactory.getLogger("berth.audit")).detachAppender(auditLog);
		engineCleanup.forEach(container -> engine.docker("rm", "-f", "-v", container));
		for (String tenant : tenants) {
			engine.removeOwnedBy(tenant);
			List<String> tags = engine.docker("images", "--format", "{{.Repository}}:{{.Tag}}")
				.out()
				.lines()
				.filter(tag -> tag.startsWith("berth.local/" + tenant + "/"))
				.toList();
			tags.forEach(tag -> engine.docker("rmi", tag));
			admin.call("DELETE", "/api/v1/tenants/" + tenant, null);
		}
	}

	@Test
	void deletionRemovesEveryObjectOfTheTenantAndFreesItsName() throws Exception {
		Admin.TenantKey gone = tenant("td-gone");
		Admin.TenantKey stays = tenant("td-stays");
		DockerCli cli = DockerCli.forKey(port, gone.key());
		String web = cli.docker("run", "-d", "--name", "web", "-v", "data:/data", "-v", "/scratch", "busybox", "sleep",
				"600")
			.assertOk()
			.trimmed();
		String anonymous = engine.docker("inspect", "-f",
				"{{range .Mounts}}{{if eq .Destination \"/scratch\"}}{{.Name}}{{end}}{{end}}", web)
			.assertOk()
			.trimmed();
		assertThat(anonymous).isNotEmpty();
		cli.docker("network", "create", "net").assertOk();
		String stopped = cli.docker("create", "--name", "stopped", "--network", "net", "busybox", "true").assertOk().trimmed();
		cli.docker("volume", "create", "spare").assertOk();
		cli.docker("tag", "busybox", "mine:1").assertOk();
		String committed = cli.docker("commit", "web").assertOk().trimmed();
		DockerCli neighbour = DockerCli.forKey(port, stays.key());
		String neighbourWeb = neighbour.docker("run", "-d", "--name", "web", "-v", "data:/data", "busybox", "sleep", "600")
			.assertOk()
			.trimmed();
		neighbour.docker("tag", "busybox", "mine:1").assertOk();
		// what the deleted tenant has on the engine, seen directly: every kind of object
		assertThat(owned("container", gone.tenant())).hasSize(2);
		assertThat(owned("volume", gone.tenant())).containsExactlyInAnyOrder(gone.tenant() + "_data",
				gone.tenant() + "_spare");
		assertThat(owned("network", gone.tenant()))
			.containsExactlyInAnyOrder(gone.tenant() + "_bridge", gone.tenant() + "_net");
		assertThat(tags(gone.tenant())).hasSize(2);
		double finishedBefore = attempts("finished");

		assertThat(admin.call("DELETE", "/api/v1/tenants/" + gone.tenant(), null).status()).isEqualTo(204);
		Admin.Response refused = admin.call("POST", "/api/v1/tenants",
				Map.of("name", gone.tenant(), "email", "next@acme.test"));
		assertThat(refused.status()).as(refused.body()).isEqualTo(409);
		assertThat(refused.contentType()).startsWith("application/problem+json");
		assertThat(refused.json().get("detail").asString()).contains("objects are being removed");
		// the first attempt waits until no replica serves the tenant from its cache (berth.auth.cache-ttl)
		JsonNode pending = teardown(gone.tenant());
		assertThat(pending.get("state").asString()).isIn("waiting", "running");
		assertThat(admin.call("GET", "/api/v1/teardowns?unfinished=true", null).json().findValuesAsString("name"))
			.contains(gone.tenant());

		JsonNode finished = awaitState(gone.tenant(), "finished", Duration.ofSeconds(60));
		assertThat(finished.get("attempts").asInt()).isEqualTo(1);
		assertThat(finished.get("finishedAt").isNull()).isFalse();
		assertThat(finished.get("nextAttemptAt").isNull()).isTrue();
		assertThat(admin.call("GET", "/api/v1/teardowns?unfinished=true", null).json().findValuesAsString("name"))
			.doesNotContain(gone.tenant());
		assertThat(admin.call("GET", "/api/v1/teardowns", null).json().findValuesAsString("name"))
			.contains(gone.tenant());

		// the engine has nothing of the tenant left
		assertThat(owned("container", gone.tenant())).isEmpty();
		assertThat(engine.docker("container", "inspect", web).exitCode()).isNotZero();
		assertThat(engine.docker("container", "inspect", stopped).exitCode()).isNotZero();
		assertThat(owned("volume", gone.tenant())).isEmpty();
		assertThat(engine.docker("volume", "inspect", anonymous).exitCode()).as("anonymous volume").isNotZero();
		assertThat(owned("network", gone.tenant())).isEmpty();
		assertThat(engine.docker("network", "inspect", gone.tenant() + "_bridge").exitCode()).isNotZero();
		assertThat(tags(gone.tenant())).isEmpty();
		assertThat(engine.docker("image", "inspect", committed).exitCode()).as("unnamed commit").isNotZero();
		// the other tenant's objects and the shared cache are untouched
		assertThat(engine.docker("inspect", "-f", "{{.State.Running}}", neighbourWeb).assertOk().trimmed())
			.isEqualTo("true");
		engine.docker("volume", "inspect", stays.tenant() + "_data").assertOk();
		engine.docker("network", "inspect", stays.tenant() + "_bridge").assertOk();
		assertThat(tags(stays.tenant())).containsExactly("berth.local/" + stays.tenant() + "/d/mine:1");
		engine.docker("image", "inspect", "busybox:latest").assertOk();
		assertThat(neighbour.docker("ps", "--format", "{{.Names}}").assertOk().trimmed()).isEqualTo("web");

		assertThat(attempts("finished")).isEqualTo(finishedBefore + 1);
		assertThat(audit()).anySatisfy(line -> assertThat(line).startsWith("teardown finished tenant=" + gone.tenant())
			.contains("attempt=1")
			.contains("containers=2")
			.contains("the name is free again"));

		// the name is free: a new tenant of that name starts with nothing
		Admin.Response again = admin.call("POST", "/api/v1/tenants", Map.of("name", gone.tenant(), "email", "next@acme.test"));
		assertThat(again.status()).as(again.body()).isEqualTo(201);
		DockerCli successor = DockerCli.forKey(port, admin.newKey(gone.tenant()).key());
		assertThat(successor.docker("ps", "-aq").assertOk().trimmed()).isEmpty();
		assertThat(successor.docker("images", "-q").assertOk().trimmed()).isEmpty();
		successor.docker("run", "--rm", "busybox", "true").assertOk();
	}

	@Test
	void aFailedAttemptIsShownAndRetriedUntilItSucceeds() throws Exception {
		Admin.TenantKey stuck = tenant("td-stuck");
		DockerCli cli = DockerCli.forKey(port, stuck.key());
		cli.docker("volume", "create", "held").assertOk();
		cli.docker("network", "create", "net").assertOk();
		// an operator's container, started on the engine itself, uses the tenant's volume
		String holder = Admin.uniqueName("td-holder");
		engineCleanup.add(holder);
		engine.docker("run", "-d", "--name", holder, "-v", stuck.tenant() + "_held:/held", "busybox", "sleep", "600")
			.assertOk();
		double failedBefore = attempts("failed");

		assertThat(admin.call("DELETE", "/api/v1/tenants/" + stuck.tenant(), null).status()).isEqualTo(204);

		JsonNode retrying = awaitState(stuck.tenant(), "retrying", Duration.ofSeconds(60));
		assertThat(retrying.get("attempts").asInt()).isPositive();
		assertThat(retrying.get("lastError").asString()).contains("1 volumes").contains("in use");
		assertThat(retrying.get("nextAttemptAt").isNull()).isFalse();
		assertThat(retrying.get("finishedAt").isNull()).isTrue();
		assertThat(admin.call("GET", "/api/v1/teardowns?unfinished=true", null).json().findValuesAsString("name"))
			.contains(stuck.tenant());
		// what could be removed is gone; the name stays retired while the volume is left
		assertThat(owned("network", stuck.tenant())).isEmpty();
		assertThat(admin.call("POST", "/api/v1/tenants", Map.of("name", stuck.tenant(), "email", "x@acme.test")).status())
			.isEqualTo(409);
		assertThat(attempts("failed")).isGreaterThan(failedBefore);
		assertThat(metricsText()).contains("berth_teardown_attempts_total{outcome=\"failed\"}");
		assertThat(audit()).anySatisfy(line -> assertThat(line).startsWith("teardown failed tenant=" + stuck.tenant())
			.contains("in use"));
		// it keeps being retried, with doubling waits up to berth.teardown.max-retry (2 s here)
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(teardown(stuck.tenant()).get("attempts").asInt()).isGreaterThanOrEqualTo(3));
		assertThat(teardown(stuck.tenant()).get("state").asString()).isNotEqualTo("finished");

		engine.docker("rm", "-f", holder).assertOk();
		JsonNode finished = awaitState(stuck.tenant(), "finished", Duration.ofSeconds(30));
		assertThat(finished.get("attempts").asInt()).isGreaterThanOrEqualTo(3);
		assertThat(owned("volume", stuck.tenant())).isEmpty();
		assertThat(admin.call("POST", "/api/v1/tenants", Map.of("name", stuck.tenant(), "email", "x@acme.test")).status())
			.isEqualTo(201);
	}

	/**
	 * A replica that claimed a teardown and died holds it until its lease runs out; no other replica
	 * touches it before, and one takes it over after.
	 */
	@Test
	void aTeardownWhoseReplicaDiedIsTakenOverOnceItsLeaseHasRunOut() {
		Admin.TenantKey orphan = tenant("td-orphan");
		String web = DockerCli.forKey(port, orphan.key())
			.docker("run", "-d", "--name", "web", "busybox", "sleep", "600")
			.assertOk()
			.trimmed();
		assertThat(admin.call("DELETE", "/api/v1/tenants/" + orphan.tenant(), null).status()).isEqualTo(204);
		// before its first attempt is due (berth.auth.cache-ttl, 2 s), another replica claims it and dies
		int claimed = jdbc.sql("""
				update teardown set leased_by = ?, leased_until = now() + interval '8 seconds', attempts = 1,
				       last_attempt_at = now(), due_at = now()
				where name = ? and finished_at is null and attempts = 0""")
			.params(UUID.randomUUID(), orphan.tenant())
			.update();
		assertThat(claimed).isEqualTo(1);

		await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(6)).untilAsserted(() -> {
			assertThat(teardown(orphan.tenant()).get("state").asString()).isEqualTo("running");
			assertThat(engine.docker("inspect", "-f", "{{.State.Running}}", web).assertOk().trimmed()).isEqualTo("true");
		});

		JsonNode finished = awaitState(orphan.tenant(), "finished", Duration.ofSeconds(30));
		assertThat(finished.get("attempts").asInt()).isEqualTo(2);
		assertThat(engine.docker("container", "inspect", web).exitCode()).isNotZero();
	}

	/**
	 * A tenant whose plan names a VM of its own leaves a teardown of the {@code proxmox} kind, which a
	 * replica with only the shared engine's teardown never claims (it would mark it finished with the
	 * VM still there); a shared tenant's is of the {@code shared} kind.
	 */
	@Test
	void aVmTenantsTeardownIsLeftToReplicasThatCanDestroyItsVm() {
		Admin.TenantKey shared = tenant("td-kind");
		Admin.TenantKey vm = tenant("td-vmkind");
		jdbc.sql("update tenant set plan = 'vm' where name = ?").param(vm.tenant()).update();
		assertThat(admin.call("DELETE", "/api/v1/tenants/" + shared.tenant(), null).status()).isEqualTo(204);
		assertThat(admin.call("DELETE", "/api/v1/tenants/" + vm.tenant(), null).status()).isEqualTo(204);
		assertThat(backendOf(shared.tenant())).isEqualTo("shared");
		assertThat(backendOf(vm.tenant())).isEqualTo("proxmox");

		// due now: a shared-only replica claims whatever is due of its kind, never the VM tenant's
		jdbc.sql("update teardown set due_at = now() where name = ? and finished_at is null").param(vm.tenant()).update();
		List<Teardowns.Claimed> claims = new ArrayList<>();
		for (Optional<Teardowns.Claimed> claimed = teardowns.claimDue(Duration.ofMinutes(1), Set.of("shared"));
				claimed.isPresent(); claimed = teardowns.claimDue(Duration.ofMinutes(1), Set.of("shared"))) {
			claims.add(claimed.get());
		}
		// handed back untouched, for the workers to take on as usual
		claims.forEach(claimed -> jdbc
			.sql("update teardown set leased_by = null, leased_until = null, attempts = attempts - 1 where leased_by = ?")
			.param(claimed.lease())
			.update());
		assertThat(claims).extracting(Teardowns.Claimed::name).doesNotContain(vm.tenant());
		// (that a replica with the Proxmox backend takes it on and destroys the VM: VmBackendIT)
		// and the shared tenant's is done by this replica's worker
		awaitState(shared.tenant(), "finished", Duration.ofSeconds(30));
		// no VM backend here: closed by hand, the name stays retired
		jdbc.sql("update teardown set finished_at = now(), leased_by = null where name = ? and finished_at is null")
			.param(vm.tenant())
			.update();
	}

	private String backendOf(String name) {
		return jdbc.sql("select backend from teardown where name = ? and finished_at is null")
			.param(name)
			.query(String.class)
			.single();
	}

	private Admin.TenantKey tenant(String prefix) {
		Admin.TenantKey key = admin.newTenant(prefix);
		tenants.add(key.tenant());
		return key;
	}

	private JsonNode teardown(String name) {
		Admin.Response answer = admin.call("GET", "/api/v1/teardowns/" + name, null);
		assertThat(answer.status()).as(answer.body()).isEqualTo(200);
		return answer.json();
	}

	private JsonNode awaitState(String name, String state, Duration within) {
		return await().atMost(within)
			.pollInterval(Duration.ofMillis(200))
			.until(() -> teardown(name), answer -> state.equals(answer.get("state").asString()));
	}

	/**
	 * The engine's list of one kind of object ({@code container}, {@code volume}, {@code network}) that
	 * carries a tenant's owner label: container IDs, volume and network names.
	 */
	private List<String> owned(String kind, String tenant) {
		String[] list = switch (kind) {
			case "container" -> new String[] { "ps", "-aq" };
			case "volume" -> new String[] { "volume", "ls", "-q" };
			default -> new String[] { "network", "ls", "--format", "{{.Name}}" };
		};
		List<String> args = new ArrayList<>(List.of(list));
		args.addAll(List.of("--filter", "label=berth.tenant=" + tenant));
		return engine.docker(args.toArray(String[]::new)).assertOk().out().lines().filter(line -> !line.isBlank()).toList();
	}

	private List<String> tags(String tenant) {
		return engine.docker("images", "--format", "{{.Repository}}:{{.Tag}}")
			.assertOk()
			.out()
			.lines()
			.filter(tag -> tag.startsWith("berth.local/" + tenant + "/"))
			.toList();
	}

	/**
	 * Attempts counted by every Berth in this JVM: each cached test context is a replica with a
	 * worker of its own, and any of them may take a teardown on (as replicas do in production).
	 */
	private double attempts(String outcome) {
		return Metrics.globalRegistry.getRegistries()
			.stream()
			.flatMap(registry -> registry.find("berth.teardown.attempts").tag("outcome", outcome).counters().stream())
			.mapToDouble(Counter::count)
			.sum();
	}

	private String metricsText() throws Exception {
		return HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/actuator/prometheus")).build(),
					HttpResponse.BodyHandlers.ofString())
			.body();
	}

	private List<String> audit() {
		return auditLog.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
	}

}
