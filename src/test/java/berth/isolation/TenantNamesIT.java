package berth.isolation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.web.server.LocalServerPort;

import berth.testing.Admin;
import berth.testing.BerthTest;
import berth.testing.DockerCli;

/**
 * Two tenants on one engine, each with names of its own: the same container, volume, network and
 * compose project names side by side, every answer in the tenant's names (never the engine-side
 * {@code <tenant>_<name>}), another tenant's engine-side name as missing as any, and no network
 * traffic between tenants while a tenant's own containers reach each other by name.
 */
@BerthTest
class TenantNamesIT {

	@LocalServerPort
	int port;

	final DockerCli engine = DockerCli.engine();

	Admin.TenantKey a;

	Admin.TenantKey b;

	DockerCli dockerA;

	DockerCli dockerB;

	@TempDir
	Path dir;

	@BeforeEach
	void setUp() {
		Admin admin = new Admin(port);
		a = admin.newTenant("names-a");
		b = admin.newTenant("names-b");
		dockerA = DockerCli.forKey(port, a.key());
		dockerB = DockerCli.forKey(port, b.key());
	}

	@AfterEach
	void cleanUp() {
		engine.removeOwnedBy(a.tenant());
		engine.removeOwnedBy(b.tenant());
	}

	private static String onEngine(Admin.TenantKey tenant, String name) {
		return tenant.tenant() + "_" + name;
	}

	/**
	 * Nothing the tenant is shown names an object in its engine-side form, but the host paths of
	 * volumes (Mountpoint, a mount's Source), which are the engine's paths and left as they are.
	 */
	private void assertTenantsNamesOnly(Admin.TenantKey tenant, DockerCli.Result result) {
		String shown = (result.out() + result.err()).replace("/var/lib/docker/volumes/" + tenant.tenant() + "_", "");
		assertThat(shown).as("what %s is shown", tenant.tenant()).doesNotContain(tenant.tenant() + "_");
	}

	@Test
	void sameNamesSideBySide() {
		for (DockerCli docker : List.of(dockerA, dockerB)) {
			docker.docker("volume", "create", "data").assertOk();
			docker.docker("network", "create", "net").assertOk();
			docker.docker("run", "-d", "--name", "web", "--network", "net", "-v", "data:/data", "busybox", "sleep", "300")
				.assertOk();
		}
		for (Admin.TenantKey tenant : List.of(a, b)) {
			assertThat(engine.docker("inspect", "-f", "{{.Name}} {{index .Config.Labels \"berth.tenant\"}}",
					onEngine(tenant, "web")).assertOk().trimmed()).isEqualTo("/" + onEngine(tenant, "web") + " " + tenant.tenant());
			assertThat(engine.docker("volume", "inspect", "-f", "{{index .Labels \"berth.tenant\"}}", onEngine(tenant, "data"))
				.assertOk()
				.trimmed()).isEqualTo(tenant.tenant());
			assertThat(engine.docker("network", "inspect", "-f", "{{index .Labels \"berth.tenant\"}}", onEngine(tenant, "net"))
				.assertOk()
				.trimmed()).isEqualTo(tenant.tenant());
		}
		dockerA.docker("exec", "web", "sh", "-c", "echo from-a > /data/owner").assertOk();
		assertThat(dockerB.docker("exec", "web", "ls", "/data").assertOk().trimmed()).as("B's data is B's own").isEmpty();
		dockerB.docker("exec", "web", "sh", "-c", "echo from-b > /data/owner").assertOk();
		assertThat(dockerA.docker("exec", "web", "cat", "/data/owner").assertOk().trimmed()).isEqualTo("from-a");

		assertThat(dockerA.docker("ps", "--format", "{{.Names}} {{.Networks}} {{.Mounts}}").assertOk().trimmed())
			.isEqualTo("web net data");
		assertThat(dockerA.docker("volume", "ls", "--format", "{{.Name}}").assertOk().trimmed()).isEqualTo("data");
		assertThat(dockerA.docker("network", "ls", "--format", "{{.Name}}").assertOk().out()).isEqualTo("net\n");
		DockerCli.Result inspect = dockerA.docker("inspect", "web").assertOk();
		assertThat(inspect.out()).contains("\"Name\": \"/web\"", "\"NetworkMode\": \"net\"", "\"data:/data\"");
		assertTenantsNamesOnly(a, inspect);
		DockerCli.Result network = dockerA.docker("network", "inspect", "net").assertOk();
		assertThat(network.out()).contains("\"Name\": \"net\"", "\"Name\": \"web\"");
		assertTenantsNamesOnly(a, network);
		DockerCli.Result volume = dockerA.docker("volume", "inspect", "-f", "{{.Name}}", "data").assertOk();
		assertThat(volume.trimmed()).isEqualTo("data");
		DockerCli.Result df = dockerA.docker("system", "df", "-v").assertOk();
		assertThat(df.out()).contains(" web\n", "data ");
		assertTenantsNamesOnly(a, df);
		assertThat(df.out()).doesNotContain(b.tenant());
		assertThat(dockerA.docker("stats", "--no-stream", "--format", "{{.Name}}", "web").assertOk().trimmed())
			.isEqualTo("web");

		dockerA.docker("rm", "-f", "web").assertOk();
		dockerA.docker("volume", "rm", "data").assertOk();
		dockerA.docker("network", "rm", "net").assertOk();
		assertThat(engine.docker("inspect", onEngine(b, "web")).exitCode()).as("B's web is untouched").isZero();
		assertThat(engine.docker("volume", "inspect", onEngine(b, "data")).exitCode()).isZero();
		assertThat(engine.docker("network", "inspect", onEngine(b, "net")).exitCode()).isZero();
		assertThat(dockerB.docker("exec", "web", "cat", "/data/owner").assertOk().trimmed()).isEqualTo("from-b");
	}

	@Test
	void namesFiltersAndErrorsAreTheTenantsOwn() {
		dockerA.docker("volume", "create", "data").assertOk();
		dockerA.docker("network", "create", "net").assertOk();
		dockerA.docker("run", "-d", "--name", "web", "busybox", "sleep", "300").assertOk();
		dockerA.docker("run", "-d", "--name", "webhook", "--network", "net", "-v", "data:/d", "busybox", "sleep", "300")
			.assertOk();
		assertThat(dockerA.docker("ps", "--filter", "name=^web$", "--format", "{{.Names}}").assertOk().trimmed())
			.isEqualTo("web");
		assertThat(dockerA.docker("ps", "--filter", "name=^/web", "--format", "{{.Names}}").assertOk().out())
			.isEqualTo("webhook\nweb\n");
		assertThat(dockerA.docker("ps", "--filter", "name=" + a.tenant(), "-q").assertOk().trimmed())
			.as("the engine-side prefix is no part of a name").isEmpty();
		assertThat(dockerA.docker("ps", "-n", "1", "--filter", "name=web", "--format", "{{.Names}}").assertOk().trimmed())
			.isEqualTo("webhook");
		assertThat(dockerA.docker("ps", "--filter", "network=net", "--format", "{{.Names}}").assertOk().trimmed())
			.isEqualTo("webhook");
		assertThat(dockerA.docker("ps", "--filter", "volume=data", "--format", "{{.Names}}").assertOk().trimmed())
			.isEqualTo("webhook");
		assertThat(dockerA.docker("ps", "--filter", "before=webhook", "--format", "{{.Names}}").assertOk().trimmed())
			.isEqualTo("web");
		assertThat(dockerA.docker("volume", "ls", "-q", "--filter", "name=^da").assertOk().trimmed()).isEqualTo("data");
		assertThat(dockerA.docker("network", "ls", "--filter", "name=^n", "--format", "{{.Name}}").assertOk().trimmed())
			.isEqualTo("net");

		DockerCli.Result conflict = dockerA.docker("run", "-d", "--name", "web", "busybox", "true");
		assertThat(conflict.err()).contains("Conflict. The container name \"/web\" is already in use by container");
		assertTenantsNamesOnly(a, conflict);
		DockerCli.Result networkTaken = dockerA.docker("network", "create", "net");
		assertThat(networkTaken.err()).contains("network with name net already exists");
		assertTenantsNamesOnly(a, networkTaken);
		DockerCli.Result inUse = dockerA.docker("volume", "rm", "data");
		assertThat(inUse.err()).contains("remove data: volume is in use");
		assertTenantsNamesOnly(a, inUse);
		assertThat(dockerA.docker("rename", "webhook", "web").err())
			.contains("Conflict. The container name \"/web\" is already in use");
		assertThat(dockerA.docker("network", "rm", "bridge").err())
			.contains("bridge is a pre-defined network and cannot be removed");
		String bridgeId = dockerA.docker("network", "inspect", "-f", "{{.Id}}", "bridge").assertOk().trimmed();
		assertThat(dockerA.docker("network", "rm", bridgeId.substring(0, 12)).err())
			.contains("bridge is a pre-defined network and cannot be removed");
		dockerA.docker("network", "prune", "-f").assertOk();
		assertThat(engine.docker("network", "inspect", "-f", "{{.Id}}", Names.defaultNetwork(a.tenant())).trimmed())
			.as("the default network survives a prune").isEqualTo(bridgeId);
		assertThat(dockerA.docker("network", "create", "bridge").err())
			.contains("operation is not permitted on predefined bridge network");

		// A's own engine-side name, and B's, are names A does not have
		assertThat(dockerA.docker("container", "inspect", onEngine(a, "web")).err())
			.contains("No such container: " + onEngine(a, "web"));
		dockerB.docker("run", "-d", "--name", "web", "busybox", "sleep", "300").assertOk();
		for (String[] operation : List.of(new String[] { "container", "inspect" }, new String[] { "logs" },
				new String[] { "stop", "-t", "0" }, new String[] { "rm", "-f" })) {
			List<String> args = new java.util.ArrayList<>(List.of(operation));
			args.add(onEngine(b, "web"));
			DockerCli.Result tried = dockerA.docker(args.toArray(String[]::new));
			assertThat(tried.err()).as("docker %s", args).contains("No such container: " + onEngine(b, "web"));
		}
		assertThat(dockerA.docker("volume", "inspect", onEngine(b, "data")).err()).contains("no such volume");
		assertThat(dockerA.docker("network", "inspect", onEngine(b, "bridge")).err())
			.contains("network " + onEngine(b, "bridge") + " not found");
		assertThat(engine.docker("inspect", "-f", "{{.State.Running}}", onEngine(b, "web")).trimmed()).isEqualTo("true");
	}

	@Test
	void eventsShowTheTenantsNames() {
		String since = Long.toString(Instant.now().getEpochSecond() - 1);
		dockerA.docker("run", "-d", "--name", "web", "busybox", "sleep", "300").assertOk();
		dockerA.docker("rename", "web", "web2").assertOk();
		dockerA.docker("rm", "-f", "web2").assertOk();
		sleep(Duration.ofMillis(1100));
		DockerCli.Result events = dockerA.docker("events", "--since", since, "--until",
				Long.toString(Instant.now().getEpochSecond()), "--format",
				"{{.Action}} {{.Actor.Attributes.name}} {{.Actor.Attributes.oldName}}").assertOk();
		assertThat(events.out().lines().toList()).contains("create web <no value>", "start web <no value>",
				"rename web2 /web", "destroy web2 <no value>");
		assertTenantsNamesOnly(a, events);
		DockerCli.Result filtered = dockerA.docker("events", "--since", since, "--until",
				Long.toString(Instant.now().getEpochSecond()), "--filter", "container=web2", "--format", "{{.Action}}")
			.assertOk();
		assertThat(filtered.out().lines().toList()).contains("rename", "destroy").doesNotContain("create");
	}

	@Test
	void aContainerWithoutANameGetsOneInTheTenantsNamespace() {
		String id = dockerA.docker("run", "-d", "busybox", "sleep", "300").assertOk().trimmed();
		String name = dockerA.docker("inspect", "-f", "{{.Name}}", id).assertOk().trimmed().substring(1);
		assertThat(name).matches("[a-z]+_[a-z]+[0-9]{4}");
		assertThat(engine.docker("inspect", "-f", "{{.Name}}", id).trimmed()).isEqualTo("/" + onEngine(a, name));
		assertThat(dockerA.docker("exec", name, "true").exitCode()).isZero();
		String volume = dockerA.docker("volume", "create").assertOk().trimmed();
		assertThat(volume).matches("[0-9a-f]{64}");
		assertThat(dockerA.docker("volume", "inspect", "-f", "{{.Name}}", volume).assertOk().trimmed()).isEqualTo(volume);
	}

	@Test
	void tenantsCannotReachEachOtherButReachTheirOwnByName() {
		dockerA.docker("run", "-d", "--name", "web", "busybox", "sleep", "300").assertOk();
		dockerA.docker("run", "-d", "--name", "db", "busybox", "sleep", "300").assertOk();
		dockerB.docker("run", "-d", "--name", "web", "busybox", "sleep", "300").assertOk();
		String aBridge = Names.defaultNetwork(a.tenant());
		String bBridge = Names.defaultNetwork(b.tenant());
		assertThat(engine.docker("inspect", "-f", "{{range $k, $v := .NetworkSettings.Networks}}{{$k}}{{end}}",
				onEngine(a, "web")).trimmed()).as("A's containers are on A's own bridge").isEqualTo(aBridge);
		assertThat(engine.docker("inspect", "-f", "{{range $k, $v := .NetworkSettings.Networks}}{{$k}}{{end}}",
				onEngine(b, "web")).trimmed()).isEqualTo(bBridge);
		assertThat(dockerA.docker("inspect", "-f", "{{.HostConfig.NetworkMode}}", "web").assertOk().trimmed())
			.isEqualTo("bridge");
		String bAddress = engine.docker("inspect", "-f", "{{(index .NetworkSettings.Networks \"" + bBridge + "\").IPAddress}}",
				onEngine(b, "web")).assertOk().trimmed();
		String aAddress = engine.docker("inspect", "-f", "{{(index .NetworkSettings.Networks \"" + aBridge + "\").IPAddress}}",
				onEngine(a, "db")).assertOk().trimmed();
		assertThat(bAddress).isNotEmpty().isNotEqualTo(aAddress);

		assertThat(dockerA.docker("exec", "web", "ping", "-c", "1", "-W", "2", "db").exitCode())
			.as("A's web reaches A's db by name").isZero();
		assertThat(dockerA.docker("exec", "web", "ping", "-c", "1", "-W", "2", aAddress).exitCode()).isZero();
		assertThat(dockerB.docker("exec", "web", "ping", "-c", "1", "-W", "2", bAddress).exitCode())
			.as("B's container answers pings on its own network").isZero();
		DockerCli.Result crossing = dockerA.docker("exec", "web", "ping", "-c", "2", "-W", "2", bAddress);
		assertThat(crossing.exitCode()).as("A reaches B's container: %s", crossing.out()).isNotZero();
		assertThat(crossing.out()).contains("100% packet loss");
		DockerCli.Result back = dockerB.docker("exec", "web", "ping", "-c", "1", "-W", "2", aAddress);
		assertThat(back.exitCode()).as("B reaches A's container: %s", back.out()).isNotZero();
		// the ping ran and got no answer (not: the exec failed)
		assertThat(back.out()).contains("100% packet loss");
		assertThat(dockerA.docker("run", "--rm", "--link", "db:database", "busybox", "ping", "-c", "1", "-W", "2",
				"database").exitCode()).as("a link's alias").isZero();
		dockerA.docker("network", "create", "back").assertOk();
		dockerA.docker("network", "connect", "back", "db").assertOk();
		assertThat(dockerA.docker("run", "--rm", "--network", "back", "busybox", "ping", "-c", "1", "-W", "2", "db")
			.exitCode()).as("a container connected to a network is reached there by its name").isZero();
	}

	@Test
	void sameComposeProjectSideBySide() throws Exception {
		Files.writeString(dir.resolve("docker-compose.yml"), """
				version: "2.4"
				services:
				  web:
				    image: busybox
				    init: true
				    command: sh -c 'echo web-up && exec sleep 300'
				    volumes:
				      - data:/data
				  client:
				    image: busybox
				    init: true
				    depends_on: [web]
				    command: sh -c 'until ping -c1 -W1 web >/dev/null && ping -c1 -W1 app_web_1 >/dev/null; do sleep 0.2; done; echo client-reached-web; exec sleep 300'
				volumes:
				  data:
				""");
		for (DockerCli docker : List.of(dockerA, dockerB)) {
			docker.compose(dir, "-p", "app", "up", "-d").assertOk();
		}
		for (Admin.TenantKey tenant : List.of(a, b)) {
			for (String name : List.of("app_web_1", "app_client_1")) {
				assertThat(engine.docker("inspect", "-f", "{{.State.Status}}", onEngine(tenant, name)).trimmed())
					.isEqualTo("running");
			}
			assertThat(engine.docker("volume", "inspect", onEngine(tenant, "app_data")).exitCode()).isZero();
			assertThat(engine.docker("network", "inspect", onEngine(tenant, "app_default")).exitCode()).isZero();
		}
		for (DockerCli docker : List.of(dockerA, dockerB)) {
			DockerCli.Result ps = docker.compose(dir, "-p", "app", "ps").assertOk();
			assertThat(ps.out().lines().filter(line -> line.startsWith("app_")).toList()).hasSize(2)
				.anySatisfy(line -> assertThat(line).startsWith("app_web_1").contains(" Up"))
				.anySatisfy(line -> assertThat(line).startsWith("app_client_1").contains(" Up"));
			String logs = "";
			Instant deadline = Instant.now().plusSeconds(20);
			while (!logs.contains("client-reached-web") && Instant.now().isBefore(deadline)) {
				logs = docker.compose(dir, "-p", "app", "logs", "--no-color").assertOk().out();
				sleep(Duration.ofMillis(300));
			}
			assertThat(logs).contains("web_1     | web-up").contains("client_1  | client-reached-web");
		}
		assertTenantsNamesOnly(a, dockerA.compose(dir, "-p", "app", "ps"));

		dockerA.compose(dir, "-p", "app", "down", "-v", "-t", "1").assertOk();
		for (String name : List.of("app_web_1", "app_client_1", "app_data", "app_default")) {
			assertThat(engine.docker("inspect", onEngine(a, name)).exitCode()).as("A's %s after down -v", name).isNotZero();
		}
		assertThat(engine.docker("inspect", "-f", "{{.State.Status}}", onEngine(b, "app_web_1")).trimmed())
			.as("B's project after A's down").isEqualTo("running");
		assertThat(engine.docker("volume", "inspect", onEngine(b, "app_data")).exitCode()).isZero();
		dockerB.compose(dir, "-p", "app", "down", "-v", "-t", "1").assertOk();
		for (String name : List.of("app_web_1", "app_client_1", "app_data", "app_default")) {
			assertThat(engine.docker("inspect", onEngine(b, name)).exitCode()).as("B's %s after down -v", name).isNotZero();
		}
	}

	private static void sleep(Duration duration) {
		try {
			Thread.sleep(duration);
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new AssertionError(e);
		}
	}

}
