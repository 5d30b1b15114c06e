package berth.isolation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.web.server.LocalServerPort;

import berth.testing.Admin;
import berth.testing.BerthTest;
import berth.testing.DockerCli;
import berth.testing.Raw;

/**
 * Two tenants on one engine. Tenant B tries every container operation on tenant A's container, by
 * full ID, ID prefix and name, and gets what a missing container gets; then the engine shows A's
 * container untouched. Lists, prunes and references inside bodies are scoped too.
 */
@BerthTest
class IsolationIT {

	@LocalServerPort
	int port;

	final DockerCli engine = DockerCli.engine();

	Admin.TenantKey a;

	Admin.TenantKey b;

	DockerCli dockerA;

	DockerCli dockerB;

	String web;

	String webId;

	String volume;

	String network;

	@TempDir
	Path dir;

	@BeforeEach
	void setUp() {
		Admin admin = new Admin(port);
		a = admin.newTenant("iso-a");
		b = admin.newTenant("iso-b");
		dockerA = DockerCli.forKey(port, a.key());
		dockerB = DockerCli.forKey(port, b.key());
		web = Admin.uniqueName("web");
		volume = Admin.uniqueName("vol");
		network = Admin.uniqueName("net");
		webId = dockerA.docker("run", "-d", "--name", web, "busybox", "sleep", "300").assertOk().trimmed();
		dockerA.docker("volume", "create", volume).assertOk();
		dockerA.docker("network", "create", network).assertOk();
	}

	@AfterEach
	void cleanUp() {
		engine.removeOwnedBy(a.tenant());
		engine.removeOwnedBy(b.tenant());
	}

	/** The engine-side name of a tenant's object (berth.isolation.Names). */
	private static String onEngine(Admin.TenantKey tenant, String name) {
		return tenant.tenant() + "_" + name;
	}

	/** Each container operation, with the container reference to put in. */
	private List<Function<String, String[]>> operations() {
		return List.of(ref -> new String[] { "container", "inspect", ref },
				ref -> new String[] { "logs", ref }, ref -> new String[] { "exec", ref, "true" },
				ref -> new String[] { "cp", ref + ":/etc/hostname", dir.toString() },
				ref -> new String[] { "cp", dir.toString(), ref + ":/tmp" },
				ref -> new String[] { "export", "-o", dir.resolve("export.tar").toString(), ref },
				ref -> new String[] { "top", ref }, ref -> new String[] { "stats", "--no-stream", ref },
				ref -> new String[] { "diff", ref }, ref -> new String[] { "port", ref },
				ref -> new String[] { "attach", "--no-stdin", ref },
				ref -> new String[] { "pause", ref }, ref -> new String[] { "unpause", ref },
				ref -> new String[] { "rename", ref, "stolen-" + web }, ref -> new String[] { "restart", "-t", "0", ref },
				ref -> new String[] { "stop", "-t", "0", ref }, ref -> new String[] { "kill", ref },
				ref -> new String[] { "wait", ref }, ref -> new String[] { "update", "--restart", "no", ref },
				ref -> new String[] { "rm", ref }, ref -> new String[] { "rm", "-f", "-v", ref },
				ref -> new String[] { "start", ref });
	}

	/**
	 * A deleted tenant's containers, volumes and networks carry its name on the engine, so the name is
	 * refused until its teardown has removed them; then a new tenant of that name starts with nothing.
	 * Another tenant's objects stay. (TeardownIT covers every kind of object and failures.)
	 */
	@Test
	void aDeletedTenantsNameIsGivenOutAgainOnlyOnceItsObjectsAreGone() {
		Admin admin = new Admin(port);
		String other = dockerB.docker("run", "-d", "--name", web, "busybox", "sleep", "300").assertOk().trimmed();
		assertThat(admin.call("DELETE", "/api/v1/tenants/" + a.tenant(), null).status()).isEqualTo(204);

		Admin.Response taken = admin.call("POST", "/api/v1/tenants", Map.of("name", a.tenant(), "email", "new@acme.test"));
		assertThat(taken.status()).as(taken.body()).isEqualTo(409);
		assertThat(taken.body()).contains("belonged to a deleted tenant whose objects are being removed");
		assertThat(admin.call("GET", "/api/v1/tenants/" + a.tenant(), null).status()).isEqualTo(404);

		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
			assertThat(engine.docker("container", "inspect", webId).exitCode()).isNotZero();
			assertThat(engine.docker("volume", "inspect", onEngine(a, volume)).exitCode()).isNotZero();
			assertThat(engine.docker("network", "inspect", onEngine(a, network)).exitCode()).isNotZero();
			assertThat(admin.call("GET", "/api/v1/teardowns/" + a.tenant(), null).json().get("state").asString())
				.isEqualTo("finished");
		});
		assertThat(engine.docker("container", "inspect", "-f", "{{.State.Running}}", other).assertOk().trimmed())
			.isEqualTo("true");

		Admin.Response again = admin.call("POST", "/api/v1/tenants", Map.of("name", a.tenant(), "email", "new@acme.test"));
		assertThat(again.status()).as(again.body()).isEqualTo(201);
		DockerCli successor = DockerCli.forKey(port, admin.newKey(a.tenant()).key());
		assertThat(successor.docker("ps", "-aq").assertOk().trimmed()).isEmpty();
		assertThat(successor.docker("volume", "ls", "-q").assertOk().trimmed()).isEmpty();
		assertThat(successor.docker("network", "ls", "--format", "{{.Name}}").assertOk().trimmed()).isEmpty();
	}

	@Test
	void anotherTenantsContainerIsLikeAMissingOne() {
		String[][] references = { { webId, randomHex(64) }, { webId.substring(0, 12), randomHex(12) },
				{ web, Admin.uniqueName("missing") }, { onEngine(a, web), Admin.uniqueName("missing") } };
		for (String[] pair : references) {
			String ref = pair[0];
			String missing = pair[1];
			for (Function<String, String[]> operation : operations()) {
				DockerCli.Result tried = dockerB.docker(operation.apply(ref));
				DockerCli.Result absent = dockerB.docker(operation.apply(missing));
				assertThat(tried.exitCode()).as("docker %s", String.join(" ", operation.apply(ref)))
					.isEqualTo(absent.exitCode());
				if (absent.exitCode() != 0) {
					assertThat(tried.err()).as("docker %s", String.join(" ", operation.apply(ref)))
						.contains("No such container");
				}
				assertThat(tried.err().replace(ref, "REF")).as("docker %s", String.join(" ", operation.apply(ref)))
					.isEqualTo(absent.err().replace(missing, "REF"));
			}
			Raw.Answer attach = Raw.request(port, "POST", "/v1.41/containers/" + ref + "/attach?stream=1&stdout=1",
					"Authorization: Bearer " + b.key(), "Upgrade: tcp");
			assertThat(attach.status()).isEqualTo(404);
			assertThat(attach.body().trim()).isEqualTo("{\"message\":\"No such container: " + ref + "\"}");
		}
		String state = engine.docker("inspect", "-f", "{{.State.Running}} {{.State.Paused}} {{.Name}} {{.RestartCount}}",
				webId).assertOk().trimmed();
		assertThat(state).isEqualTo("true false /" + onEngine(a, web) + " 0");
		assertThat(engine.docker("inspect", "-f", "{{.State.StartedAt}}", webId).trimmed())
			.isEqualTo(dockerA.docker("inspect", "-f", "{{.State.StartedAt}}", web).assertOk().trimmed());
	}

	@Test
	void copyingIntoAnotherTenantsContainerEndsWithNoSuchContainer() throws Exception {
		java.nio.file.Files.writeString(dir.resolve("payload"), "x".repeat(1 << 20));
		DockerCli.Result tried = dockerB.exec(null, java.time.Duration.ofSeconds(30), "docker", "cp",
				dir.resolve("payload").toString(), web + ":/tmp/payload");
		assertThat(tried.err()).contains("No such container");
		assertThat(engine.docker("exec", webId, "ls", "/tmp").trimmed()).doesNotContain("payload");
	}

	@Test
	void theOwnerStillReachesItsThings() {
		assertThat(dockerA.docker("inspect", "-f", "{{.Id}}", webId.substring(0, 12)).assertOk().trimmed()).isEqualTo(webId);
		assertThat(dockerA.docker("exec", web, "echo", "hi").assertOk().trimmed()).isEqualTo("hi");
		assertThat(dockerA.dockerWithInput("hi\n".getBytes(StandardCharsets.UTF_8), "run", "-i", "--rm", "busybox", "cat")
			.assertOk()
			.trimmed()).isEqualTo("hi");
		String claimed = Admin.uniqueName("fresh");
		dockerA.docker("run", "--rm", "-v", volume + ":/data", "-v", claimed + ":/more", "--network", network,
				"--volumes-from", web, "busybox", "true").assertOk();
		assertThat(engine.docker("volume", "inspect", "-f", "{{index .Labels \"berth.tenant\"}}", onEngine(a, claimed))
			.assertOk()
			.trimmed()).isEqualTo(a.tenant());
		dockerA.docker("network", "inspect", network).assertOk();
		dockerA.docker("volume", "inspect", volume).assertOk();
		assertThat(dockerA.docker("ps", "-a", "--format", "{{.Names}}").assertOk().out()).contains(web);
	}

	@Test
	void execsAreTheirContainersOwners() {
		Raw.Answer created = Raw.send(port, "POST", "/v1.41/containers/" + webId + "/exec",
				"{\"Cmd\":[\"true\"]}".getBytes(StandardCharsets.UTF_8), false, "Authorization: Bearer " + a.key(),
				"Content-Type: application/json");
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		String exec = created.body().replaceAll("(?s).*\"Id\":\"([0-9a-f]+)\".*", "$1");
		Raw.Answer inspect = Raw.request(port, "GET", "/v1.41/exec/" + exec + "/json", "Authorization: Bearer " + b.key());
		assertThat(inspect.status()).isEqualTo(404);
		assertThat(inspect.body().trim()).isEqualTo("{\"message\":\"No such exec instance: " + exec + "\"}");
		Raw.Answer attach = Raw.request(port, "POST", "/v1.41/containers/" + web + "/attach?stream=1&stdout=1",
				"Authorization: Bearer " + b.key(), "Upgrade: tcp");
		assertThat(attach.status()).isEqualTo(404);
		Raw.Answer start = Raw.send(port, "POST", "/v1.41/exec/" + exec + "/start",
				"{\"Detach\":false,\"Tty\":false}".getBytes(StandardCharsets.UTF_8), false,
				"Authorization: Bearer " + b.key(), "Content-Type: application/json", "Upgrade: tcp");
		assertThat(start.status()).isEqualTo(404);
		assertThat(start.body().trim()).isEqualTo("{\"message\":\"No such exec instance: " + exec + "\"}");
		assertThat(Raw.request(port, "GET", "/v1.41/exec/" + exec + "/json", "Authorization: Bearer " + a.key()).status())
			.isEqualTo(200);
	}

	@Test
	void volumesAndNetworksOfAnotherTenantAreMissing() {
		assertThat(dockerB.docker("volume", "inspect", volume).err()).contains("get " + volume + ": no such volume");
		assertThat(dockerB.docker("volume", "rm", volume).err()).contains("no such volume");
		assertThat(dockerB.docker("network", "inspect", network).err()).contains("network " + network + " not found");
		assertThat(dockerB.docker("network", "rm", network).err()).contains("network " + network + " not found");
		String own = Admin.uniqueName("b-web");
		dockerB.docker("run", "-d", "--name", own, "busybox", "sleep", "60").assertOk();
		assertThat(dockerB.docker("network", "connect", network, own).err()).contains("network " + network + " not found");
		String bNet = Admin.uniqueName("b-net");
		dockerB.docker("network", "create", bNet).assertOk();
		assertThat(dockerB.docker("network", "connect", bNet, web).err()).contains("No such container: " + web);
		assertThat(dockerB.docker("network", "disconnect", "bridge", web).err()).as("B's bridge is B's own")
			.contains("No such container: " + web);
		assertThat(engine.docker("volume", "inspect", onEngine(a, volume)).exitCode()).isZero();
		assertThat(engine.docker("network", "inspect", onEngine(a, network)).exitCode()).isZero();
		assertThat(engine.docker("inspect", "-f", "{{len .NetworkSettings.Networks}}", webId).trimmed()).isEqualTo("1");
	}

	@Test
	void listsAndPrunesShowOnlyTheTenantsOwn() {
		String stopped = Admin.uniqueName("stopped");
		dockerA.docker("create", "--name", stopped, "busybox", "true").assertOk();
		String since = String.valueOf(System.currentTimeMillis() / 1000 - 120);
		assertThat(dockerB.docker("ps", "-a", "--format", "{{.Names}}").assertOk().out()).doesNotContain(web, stopped);
		assertThat(dockerB.docker("ps", "-a", "--filter", "label=berth.tenant=" + a.tenant()).assertOk().out())
			.doesNotContain(web);
		assertThat(dockerB.docker("volume", "ls").assertOk().out()).doesNotContain(volume);
		assertThat(dockerB.docker("network", "ls").assertOk().out()).doesNotContain(network);
		assertThat(dockerB.docker("events", "--since", since, "--until", String.valueOf(System.currentTimeMillis() / 1000))
			.assertOk()
			.out()).doesNotContain(web);
		dockerB.docker("container", "prune", "-f").assertOk();
		dockerB.docker("volume", "prune", "-f").assertOk();
		dockerB.docker("network", "prune", "-f").assertOk();
		assertThat(engine.docker("inspect", onEngine(a, stopped)).exitCode()).as("A's stopped container survives B's prune")
			.isZero();
		assertThat(engine.docker("volume", "inspect", onEngine(a, volume)).exitCode()).isZero();
		assertThat(engine.docker("network", "inspect", onEngine(a, network)).exitCode()).isZero();
		assertThat(dockerA.docker("ps", "-a", "--format", "{{.Names}}").assertOk().out()).contains(web, stopped);
		assertThat(dockerA.docker("volume", "ls").assertOk().out()).contains(volume);
		assertThat(dockerA.docker("network", "ls").assertOk().out()).contains(network);
	}

	@Test
	void bodiesCannotReferToAnotherTenantsThings() {
		assertThat(dockerB.docker("run", "--rm", "--volumes-from", web, "busybox", "true").err())
			.contains("No such container: " + web);
		assertThat(dockerB.docker("run", "--rm", "--volumes-from", webId.substring(0, 12) + ":ro", "busybox", "true").err())
			.contains("No such container: " + webId.substring(0, 12));
		assertThat(dockerB.docker("run", "--rm", "--link", web + ":w", "busybox", "true").err())
			.contains("No such container: " + web);
		String bNet = Admin.uniqueName("b-net");
		dockerB.docker("network", "create", bNet).assertOk();
		assertThat(dockerB.docker("run", "--rm", "--network", bNet, "--link", web + ":w", "busybox", "true").err())
			.contains("No such container: " + web);
		assertThat(dockerB.docker("run", "--rm", "--network", network, "busybox", "true").err())
			.contains("network " + network + " not found");
		assertThat(dockerB.docker("run", "--rm", "--network", onEngine(a, network), "busybox", "true").err())
			.contains("network " + onEngine(a, network) + " not found");
		assertThat(dockerB.docker("create", "--network", "bridge", "busybox", "true").exitCode()).isZero();
		assertThat(dockerB.docker("network", "connect", network, webId).err()).contains("network " + network + " not found");
		// a volume of the same name is B's own: A's is neither used nor touched
		dockerA.docker("run", "--rm", "-v", volume + ":/x", "busybox", "sh", "-c", "echo a > /x/owner").assertOk();
		assertThat(dockerB.docker("run", "--rm", "-v", volume + ":/x", "busybox", "sh", "-c", "ls /x; echo b > /x/owner")
			.assertOk()
			.trimmed()).isEmpty();
		assertThat(dockerB.docker("run", "--rm", "--mount", "type=volume,src=" + volume + ",dst=/x", "busybox", "cat",
				"/x/owner").assertOk().trimmed()).isEqualTo("b");
		assertThat(dockerA.docker("run", "--rm", "-v", volume + ":/x", "busybox", "cat", "/x/owner").assertOk().trimmed())
			.isEqualTo("a");
		assertThat(engine.docker("volume", "inspect", "-f", "{{index .Labels \"berth.tenant\"}}", onEngine(b, volume))
			.assertOk()
			.trimmed()).isEqualTo(b.tenant());
		assertThat(engine.docker("ps", "-aq", "--filter", "label=berth.tenant=" + b.tenant()).trimmed().split("\\s+"))
			.as("only the container on B's bridge was created").hasSize(1);
	}

	private static String randomHex(int length) {
		StringBuilder out = new StringBuilder();
		while (out.length() < length) {
			out.append(Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE));
		}
		return out.substring(0, length);
	}

}
