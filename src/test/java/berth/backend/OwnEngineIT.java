package berth.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.test.annotation.DirtiesContext;
import reactor.core.publisher.Mono;

import berth.account.TenantRef;
import berth.testing.Admin;
import berth.testing.BerthTest;
import berth.testing.DockerCli;
import berth.testing.OwnDockerd;

/**
 * The seam of the backend kind, proved with an engine that is one tenant's own: a second dockerd of
 * the test's, serving every tenant whose name starts with {@code own}. Such a tenant sees and names the
 * engine's objects as they are (no name prefixes, no list scoping, no image namespaces), and is held
 * to the same policy: what it is refused never exists on its engine. Other tenants stay on the shared
 * engine, untouched.
 */
@BerthTest
@Import(OwnEngineIT.OwnEngines.class)
@DirtiesContext // its backends hold an engine that goes away with the class
class OwnEngineIT {

	static final OwnDockerd own = OwnDockerd.start("busybox");

	/** Tenants named {@code own*} on the test's engine, everyone else on the shared one. */
	@TestConfiguration
	static class OwnEngines {

		@Bean
		@Primary
		Backends ownOrShared(BackendProperties properties) {
			Engine shared = new Engine("shared", EngineAddress.parse(properties.dockerHost()), Engine.Kind.SHARED);
			Engine ownEngine = new Engine("own", EngineAddress.parse(own.host()), Engine.Kind.OWN);
			return new Backends() {
				@Override
				public Mono<Engine> engineFor(TenantRef tenant) {
					return Mono.just(tenant.name().startsWith("own") ? ownEngine : shared);
				}

				@Override
				public List<Engine> engines() {
					return List.of(shared, ownEngine);
				}
			};
		}

	}

	@AfterAll
	static void stopOwnEngine() {
		own.close();
	}

	@LocalServerPort
	int port;

	DockerCli tenant;

	String tenantName;

	@BeforeEach
	void setUp() {
		Admin.TenantKey key = new Admin(port).newTenant("own");
		tenantName = key.tenant();
		tenant = DockerCli.forKey(port, key.key());
	}

	@Test
	void aTenantOnItsOwnEngineNamesAndListsItsObjectsAsTheyAre() {
		String name = "web" + UUID.randomUUID().toString().substring(0, 8);
		tenant.docker("create", "--name", name, "busybox", "sleep", "60").assertOk();
		assertThat(own.cli().docker("inspect", "--format", "{{.Name}}", name).assertOk().trimmed())
			.as("the engine-side name has no prefix").isEqualTo("/" + name);
		assertThat(DockerCli.engine().docker("inspect", name).exitCode()).as("nothing on the shared engine").isNotZero();

		String direct = "direct" + UUID.randomUUID().toString().substring(0, 8);
		own.cli().docker("create", "--name", direct, "busybox", "true").assertOk();
		assertThat(tenant.docker("ps", "-a", "--format", "{{.Names}}").assertOk().out().lines().toList())
			.as("the whole engine is the tenant's: no list scoping").contains(name, direct);
		assertThat(tenant.docker("inspect", "--format", "{{.Name}}", direct).assertOk().trimmed()).isEqualTo("/" + direct);

		tenant.docker("volume", "create", "data-" + name).assertOk();
		assertThat(own.cli().docker("volume", "ls", "--format", "{{.Name}}").assertOk().out()).contains("data-" + name + "\n");
		tenant.docker("rm", "-f", name, direct).assertOk();
		tenant.docker("volume", "rm", "data-" + name).assertOk();
	}

	@Test
	void imagesKeepTheirNamesOnAnEngineOfItsOwn() {
		String tag = "mine" + UUID.randomUUID().toString().substring(0, 8) + ":1";
		tenant.docker("tag", "busybox", tag).assertOk();
		assertThat(own.cli().docker("image", "inspect", "--format", "{{.Id}}", tag).exitCode())
			.as("tagged under the tenant's own name, no namespace").isZero();
		assertThat(tenant.docker("images", "--format", "{{.Repository}}:{{.Tag}}").assertOk().out()).contains(tag);
		tenant.docker("rmi", tag).assertOk();
		assertThat(own.cli().docker("image", "inspect", tag).exitCode()).isNotZero();
	}

	@Test
	void runAndExecAreCarriedOverTheHijackedConnection() {
		String token = UUID.randomUUID().toString();
		assertThat(tenant.docker("run", "--rm", "busybox", "echo", token).assertOk().out()).isEqualTo(token + "\n");
		String name = "exec" + token.substring(0, 8);
		tenant.docker("run", "-d", "--name", name, "busybox", "sleep", "60").assertOk();
		assertThat(tenant.docker("exec", name, "echo", token).assertOk().out()).isEqualTo(token + "\n");
		tenant.docker("rm", "-f", name).assertOk();
	}

	@Test
	void theSamePolicyHoldsAndWhatItRefusesNeverExists() {
		String before = own.cli().docker("ps", "-aq").assertOk().out();
		DockerCli.Result privileged = tenant.docker("run", "--privileged", "busybox", "true");
		assertThat(privileged.exitCode()).isNotZero();
		assertThat(privileged.err()).contains("berth:");
		DockerCli.Result hostPid = tenant.docker("run", "--pid", "host", "busybox", "true");
		assertThat(hostPid.exitCode()).isNotZero();
		assertThat(hostPid.err()).contains("berth:");
		DockerCli.Result swarm = tenant.docker("swarm", "init");
		assertThat(swarm.exitCode()).isNotZero();
		assertThat(own.cli().docker("ps", "-aq").assertOk().out()).as("no container was made").isEqualTo(before);
		assertThat(own.cli().docker("info", "--format", "{{.Swarm.LocalNodeState}}").assertOk().trimmed())
			.isEqualTo("inactive");
	}

	/**
	 * On an engine of the tenant's own (its VM) a bind is the VM's own storage and a named port binds
	 * on the VM as asked: nothing is rewritten, as nothing there is shared. The VM's system paths and
	 * the engine's socket stay refused.
	 */
	@Test
	void bindsAndPortsAreAsAskedOnAnEngineOfItsOwn() {
		String name = "bound" + UUID.randomUUID().toString().substring(0, 8);
		String path = "/srv/" + name + "/data";
		tenant.docker("create", "--name", name, "-v", path + ":/d:ro", "-p", "127.0.0.1:18097:80", "busybox", "true")
			.assertOk();
		try {
			assertThat(own.cli().docker("inspect", "--format", "{{json .HostConfig.Binds}} {{json .HostConfig.PortBindings}}",
					name).assertOk().trimmed())
				.isEqualTo("[\"" + path + ":/d:ro\"] {\"80/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"18097\"}]}");
		}
		finally {
			tenant.docker("rm", "-f", name).assertOk();
		}
		String before = own.cli().docker("ps", "-aq").assertOk().out();
		DockerCli.Result socket = tenant.docker("create", "-v", "/var/run/docker.sock:/var/run/docker.sock", "busybox", "true");
		assertThat(socket.err()).contains("berth: the engine's socket cannot be mounted into containers");
		DockerCli.Result etc = tenant.docker("create", "--mount", "type=bind,src=/etc,dst=/h", "busybox", "true");
		assertThat(etc.err()).contains("berth: host system paths cannot be mounted into containers (mount source /etc)");
		assertThat(own.cli().docker("ps", "-aq").assertOk().out()).as("no container was made").isEqualTo(before);
	}

	@Test
	void aTenantOnTheSharedEngineIsNotServedByTheOwnOne() {
		Admin.TenantKey other = new Admin(port).newTenant("shared");
		DockerCli shared = DockerCli.forKey(port, other.key());
		String name = "web" + UUID.randomUUID().toString().substring(0, 8);
		shared.docker("create", "--name", name, "busybox", "true").assertOk();
		try {
			assertThat(own.cli().docker("ps", "-a", "--format", "{{.Names}}").assertOk().out()).doesNotContain(name);
			assertThat(DockerCli.engine()
				.docker("ps", "-a", "--filter", "label=berth.tenant=" + other.tenant(), "--format", "{{.Names}}")
				.assertOk()
				.trimmed()).as("prefixed on the shared engine").isNotEqualTo(name).endsWith(name);
		}
		finally {
			DockerCli.engine().removeOwnedBy(other.tenant());
		}
	}

}
