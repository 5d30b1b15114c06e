package berth.isolation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import berth.account.TenantRef;
import berth.backend.BackendTeardown.TornDown;
import berth.backend.Backends;
import berth.backend.Engine;
import berth.backend.EngineAddress;
import berth.isolation.SharedEngineTeardown.Kind;
import berth.isolation.SharedEngineTeardown.Target;
import berth.testing.Admin;
import berth.testing.DockerCli;

/**
 * What a deleted tenant's teardown removes from the shared engine, and what it leaves: first from list
 * answers, then on the real engine, where the objects are made directly (as Berth makes them: owner
 * label, engine-side names, tags under {@code berth.local/<tenant>/}).
 */
class SharedEngineTeardownTest {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final TenantRef acme = new TenantRef(UUID.randomUUID(), "acme");

	private final DockerCli engine = DockerCli.engine();

	private final String tenant = Admin.uniqueName("tdt");

	/** Another tenant whose name starts with the first one's: its tags share a prefix of the string. */
	private final String neighbour = tenant + "-2";

	@AfterEach
	void cleanUp() {
		engine.docker("rm", "-f", "-v", tenant + "-holder");
		engine.docker("volume", "rm", tenant + "_cache");
		engine.removeOwnedBy(tenant);
		engine.removeOwnedBy(neighbour);
		engine.docker("rmi", "berth.local/" + tenant + "/d/busybox:latest", "berth.local/" + tenant + "/u/x1:latest",
				"berth.local/" + neighbour + "/d/busybox:latest");
	}

	@Test
	void onlyObjectsLabelledForTheTenantAreTargeted() {
		String containers = """
				[{"Id":"c1","Labels":{"berth.tenant":"acme"}},{"Id":"c2","Labels":{"berth.tenant":"acme-2"}},
				 {"Id":"c3","Labels":{}},{"Id":"c4"}]""";
		assertThat(SharedEngineTeardown.targets(Kind.CONTAINERS, acme, JSON.readTree(containers)))
			.containsExactly(new Target(Kind.CONTAINERS, "/containers/c1?force=1&v=1"));
		String volumes = """
				{"Volumes":[{"Name":"acme_data","Labels":{"berth.tenant":"acme"}},{"Name":"acme_cache","Labels":null},
				 {"Name":"bob_data","Labels":{"berth.tenant":"bob"}}]}""";
		assertThat(SharedEngineTeardown.targets(Kind.VOLUMES, acme, JSON.readTree(volumes)))
			.containsExactly(new Target(Kind.VOLUMES, "/volumes/acme_data"));
		String networks = """
				[{"Id":"n1","Name":"acme_bridge","Labels":{"berth.tenant":"acme","berth.network":"default"}},
				 {"Id":"n2","Name":"bridge","Labels":{}}]""";
		assertThat(SharedEngineTeardown.targets(Kind.NETWORKS, acme, JSON.readTree(networks)))
			.containsExactly(new Target(Kind.NETWORKS, "/networks/n1"));
	}

	@Test
	void imagesLoseTheTenantsTagsOnlyByReference() {
		String images = """
				[{"Id":"sha256:1","RepoTags":["busybox:latest","berth.local/acme/d/busybox:latest",
				                             "berth.local/acme-2/d/busybox:latest"]},
				 {"Id":"sha256:2","RepoTags":["berth.local/acme/u/k3j2:latest","berth.local/acme/r/127.0.0.1__5000/x:1"]},
				 {"Id":"sha256:3","RepoTags":null},
				 {"Id":"sha256:4","RepoTags":["berth.local/acmeco/d/app:1","acme/app:1"]}]""";
		assertThat(SharedEngineTeardown.targets(Kind.IMAGES, acme, JSON.readTree(images))).containsExactly(
				new Target(Kind.IMAGES, "/images/berth.local/acme/d/busybox:latest"),
				new Target(Kind.IMAGES, "/images/berth.local/acme/u/k3j2:latest"),
				new Target(Kind.IMAGES, "/images/berth.local/acme/r/127.0.0.1__5000/x:1"));
	}

	@Test
	void removesEveryObjectOfTheTenantAndNothingElse() {
		String owner = "berth.tenant=" + tenant;
		engine.docker("network", "create", "--label", owner, "--label", "berth.network=default", tenant + "_bridge")
			.assertOk();
		engine.docker("network", "create", "--label", owner, tenant + "_net").assertOk();
		engine.docker("volume", "create", "--label", owner, tenant + "_data").assertOk();
		String running = engine.docker("run", "-d", "--label", owner, "--name", tenant + "_web", "--network",
				tenant + "_bridge", "-v", tenant + "_data:/data", "-v", "/anonymous", "busybox", "sleep", "600")
			.assertOk()
			.trimmed();
		String anonymous = engine.docker("inspect", "-f",
				"{{range .Mounts}}{{if eq .Destination \"/anonymous\"}}{{.Name}}{{end}}{{end}}", running)
			.assertOk()
			.trimmed();
		engine.docker("create", "--label", owner, "--name", tenant + "_stopped", "--network", tenant + "_net", "busybox",
				"true")
			.assertOk();
		engine.docker("tag", "busybox", "berth.local/" + tenant + "/d/busybox:latest").assertOk();
		engine.docker("tag", "busybox", "berth.local/" + tenant + "/u/x1:latest").assertOk();
		// the neighbour's objects, an operator's volume named like the tenant's, and the shared cache stay
		String neighbours = "berth.tenant=" + neighbour;
		engine.docker("volume", "create", "--label", neighbours, neighbour + "_data").assertOk();
		engine.docker("run", "-d", "--label", neighbours, "--name", neighbour + "_web", "busybox", "sleep", "600")
			.assertOk();
		engine.docker("tag", "busybox", "berth.local/" + neighbour + "/d/busybox:latest").assertOk();
		engine.docker("volume", "create", tenant + "_cache").assertOk();

		TornDown done = teardown().tearDown(new TenantRef(UUID.randomUUID(), tenant)).block(Duration.ofMinutes(2));

		assertThat(done).isNotNull();
		assertThat(done.backend()).isEqualTo("shared-engine");
		assertThat(done.removed()).containsEntry("containers", 2)
			.containsEntry("networks", 2)
			.containsEntry("volumes", 1)
			.containsEntry("images", 2);
		assertNothingLeftOf(tenant);
		assertThat(engine.docker("volume", "inspect", anonymous).exitCode()).as("anonymous volume").isNotZero();
		assertThat(engine.docker("volume", "inspect", tenant + "_cache").exitCode()).isZero();
		assertThat(engine.docker("inspect", "-f", "{{.State.Running}}", neighbour + "_web").assertOk().trimmed())
			.isEqualTo("true");
		engine.docker("volume", "inspect", neighbour + "_data").assertOk();
		engine.docker("image", "inspect", "berth.local/" + neighbour + "/d/busybox:latest").assertOk();
		engine.docker("image", "inspect", "busybox:latest").assertOk();

		// nothing left: a second call succeeds and removes nothing
		TornDown again = teardown().tearDown(new TenantRef(UUID.randomUUID(), tenant)).block(Duration.ofMinutes(1));
		assertThat(again).isNotNull();
		assertThat(again.removed().values()).containsOnly(0);
	}

	@Test
	void whatCannotBeRemovedFailsTheCallAfterTheRestIsGone() {
		String owner = "berth.tenant=" + tenant;
		engine.docker("volume", "create", "--label", owner, tenant + "_held").assertOk();
		engine.docker("network", "create", "--label", owner, tenant + "_net").assertOk();
		// an operator's container, not the tenant's, uses the tenant's volume
		engine.docker("run", "-d", "--name", tenant + "-holder", "-v", tenant + "_held:/held", "busybox", "sleep", "600")
			.assertOk();
		TenantRef ref = new TenantRef(UUID.randomUUID(), tenant);

		assertThatThrownBy(() -> teardown().tearDown(ref).block(Duration.ofMinutes(1)))
			.hasMessageContaining("left on engine shared: 1 volumes")
			.hasMessageContaining("DELETE /volumes/" + tenant + "_held: 409")
			.hasMessageContaining("in use");
		assertThat(engine.docker("network", "inspect", tenant + "_net").exitCode()).isNotZero();
		assertThat(engine.docker("inspect", "-f", "{{.State.Running}}", tenant + "-holder").assertOk().trimmed())
			.isEqualTo("true");

		engine.docker("rm", "-f", tenant + "-holder").assertOk();
		TornDown done = teardown().tearDown(ref).block(Duration.ofMinutes(1));
		assertThat(done).isNotNull();
		assertThat(done.removed()).containsEntry("volumes", 1).containsEntry("networks", 0);
		assertNothingLeftOf(tenant);
	}

	@Test
	void anEngineAwayFailsTheCallSayingSo() {
		SharedEngineTeardown away = teardown("unix:///tmp/" + tenant + "-no-engine.sock");
		assertThatThrownBy(() -> away.tearDown(new TenantRef(UUID.randomUUID(), tenant)).block(Duration.ofSeconds(30)))
			.hasMessageContaining("engine shared: the Docker engine is not reachable");
	}

	private void assertNothingLeftOf(String name) {
		String label = "label=berth.tenant=" + name;
		assertThat(engine.docker("ps", "-aq", "--filter", label).assertOk().trimmed()).isEmpty();
		assertThat(engine.docker("volume", "ls", "-q", "--filter", label).assertOk().trimmed()).isEmpty();
		assertThat(engine.docker("network", "ls", "-q", "--filter", label).assertOk().trimmed()).isEmpty();
		assertThat(engine.docker("images", "--format", "{{.Repository}}").assertOk().out())
			.doesNotContain("berth.local/" + name + "/");
	}

	private static SharedEngineTeardown teardown() {
		return teardown("unix:///var/run/docker.sock");
	}

	private static SharedEngineTeardown teardown(String dockerHost) {
		Engine shared = new Engine("shared", EngineAddress.parse(dockerHost), Engine.Kind.SHARED);
		return new SharedEngineTeardown(new Backends() {

			@Override
			public Mono<Engine> engineFor(TenantRef tenant) {
				return Mono.just(shared);
			}

			@Override
			public List<Engine> engines() {
				return List.of(shared);
			}

		});
	}

}
