package berth.isolation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
 * Images on a shared engine, with two tenants and the real docker CLI: tenant A names its own images
 * {@code busybox:latest} by every route (build, tag, commit, import, load) and runs them; tenant B
 * still runs the real busybox, checked by image ID on the engine. A's images are invisible to B by
 * name, ID and prefix; rmi takes only A's reference; a pull with credentials stays A's.
 */
@BerthTest
class ImageIsolationIT {

	@LocalServerPort
	int port;

	final DockerCli engine = DockerCli.engine();

	Admin.TenantKey a;

	Admin.TenantKey b;

	DockerCli dockerA;

	DockerCli dockerB;

	String busyboxId;

	final List<String> containers = new ArrayList<>();

	final List<String> engineImages = new ArrayList<>();

	@TempDir
	Path dir;

	@BeforeEach
	void setUp() {
		Admin admin = new Admin(port);
		a = admin.newTenant("img-a");
		b = admin.newTenant("img-b");
		dockerA = DockerCli.forKey(port, a.key()).env("DOCKER_BUILDKIT", "0");
		dockerB = DockerCli.forKey(port, b.key()).env("DOCKER_BUILDKIT", "0");
		busyboxId = engineId("busybox:latest");
	}

	@AfterEach
	void cleanUp() {
		for (String container : containers) {
			engine.docker("rm", "-f", container);
		}
		// containers (by their engine-side names), default networks and volumes of both tenants
		engine.removeOwnedBy(a.tenant());
		engine.removeOwnedBy(b.tenant());
		List<String> remove = new ArrayList<>(engineImages);
		for (String line : engine.docker("images", "--format", "{{.Repository}}:{{.Tag}}").out().split("\n")) {
			if (line.startsWith("berth.local/" + a.tenant() + "/") || line.startsWith("berth.local/" + b.tenant() + "/")) {
				remove.add(line.trim());
			}
		}
		for (String image : remove.reversed()) {
			if (!image.equals(busyboxId)) {
				engine.docker("rmi", "-f", image);
			}
		}
		assertThat(engineId("busybox:latest")).as("the shared busybox after the test").isEqualTo(busyboxId);
	}

	/** A's own image: busybox plus a marker file, built through Berth and named {@code busybox:latest}. */
	private String buildMarkedBusybox(String marker) throws Exception {
		Path context = Files.createDirectories(dir.resolve("ctx-" + marker));
		Files.writeString(context.resolve("Dockerfile"), "FROM busybox\nRUN echo " + marker + " > /marker\n");
		String out = dockerA.docker("build", "-t", "busybox:latest", context.toString()).assertOk().out();
		assertThat(out).as("the build reports A's own name").contains("Successfully tagged busybox:latest")
			.doesNotContain("berth.local");
		String id = dockerA.docker("image", "inspect", "-f", "{{.Id}}", "busybox").assertOk().trimmed();
		assertThat(id).isNotEqualTo(busyboxId);
		engineImages.add(id);
		return id;
	}

	private String engineId(String reference) {
		return engine.docker("image", "inspect", "-f", "{{.Id}}", reference).assertOk().trimmed();
	}

	/** B runs busybox; the engine says the container runs the shared image. */
	private void bStillRunsTheRealBusybox() {
		String name = Admin.uniqueName("b-run");
		containers.add(b.tenant() + "_" + name); // the engine-side name (berth.isolation.Names)
		DockerCli.Result run = dockerB.docker("run", "--name", name, "busybox", "sh", "-c", "cat /marker || echo none");
		assertThat(run.assertOk().trimmed()).as("B's busybox has no marker").isEqualTo("none");
		assertThat(engine.docker("inspect", "-f", "{{.Image}}", b.tenant() + "_" + name).assertOk().trimmed())
			.as("the image of B's container on the engine").isEqualTo(busyboxId);
		assertThat(engineId("busybox:latest")).as("the shared busybox tag").isEqualTo(busyboxId);
	}

	@Test
	void aBuildRefusedForItsTagIsReadToItsEndAndTheConnectionGoesOn() {
		try (Raw.Connection client = new Raw.Connection(port)) {
			// the whole context is sent, as the CLI does, before the answer is read
			int announced = 4 << 20;
			Raw.Answer refused = client
				.write(Raw.Connection.request("POST", "/v1.41/build?t=" + ImageNames.RESERVED + "/x:1",
						"Authorization: Bearer " + a.key(), "Content-Type: application/x-tar",
						"Content-Length: " + announced) + "x".repeat(announced))
				.read(false);
			assertThat(refused.status()).isEqualTo(403);
			assertThat(refused.body()).contains("reserved for Berth");
			Raw.Answer ping = client.write(Raw.Connection.request("GET", "/_ping", "Authorization: Bearer " + a.key()))
				.read(false);
			assertThat(ping.status()).isEqualTo(200);
		}
	}

	@Test
	void aBuildNamedBusyboxShadowsItForItsBuilderOnly() throws Exception {
		String id = buildMarkedBusybox("built");
		assertThat(dockerA.docker("run", "--rm", "busybox", "cat", "/marker").assertOk().trimmed())
			.as("A's busybox is its own").isEqualTo("built");
		bStillRunsTheRealBusybox();
		assertThat(dockerA.docker("images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}").assertOk().out())
			.as("A's images under A's names").contains("busybox:latest " + id.substring(7, 19))
			.doesNotContain("berth.local");
		assertThat(dockerB.docker("images", "-q", "--no-trunc").assertOk().out()).as("B lists none of A's images")
			.doesNotContain(id);
		assertThat(dockerA.docker("image", "inspect", "-f", "{{json .RepoTags}}", id).assertOk().trimmed())
			.isEqualTo("[\"busybox:latest\"]");
	}

	@Test
	void tagCommitAndImportCannotReplaceTheSharedBusybox() throws Exception {
		String marked = buildMarkedBusybox("tagged");
		dockerA.docker("tag", marked, "busybox:latest").assertOk();
		dockerA.docker("tag", marked, "busybox:1").assertOk();
		bStillRunsTheRealBusybox();

		String container = Admin.uniqueName("a-commit");
		containers.add(container);
		dockerA.docker("run", "--name", container, "busybox", "sh", "-c", "echo committed > /marker").assertOk();
		String committed = dockerA.docker("commit", container, "busybox:latest").assertOk().trimmed();
		engineImages.add(committed);
		assertThat(dockerA.docker("run", "--rm", "busybox", "cat", "/marker").assertOk().trimmed()).isEqualTo("committed");
		bStillRunsTheRealBusybox();

		Path exported = dir.resolve("fs.tar");
		dockerA.docker("export", "-o", exported.toString(), container).assertOk();
		String imported = dockerA.docker("import", exported.toString(), "busybox:latest").assertOk().trimmed();
		engineImages.add(imported);
		assertThat(dockerA.docker("run", "--rm", "busybox", "cat", "/marker").assertOk().trimmed()).isEqualTo("committed");
		bStillRunsTheRealBusybox();
	}

	@Test
	void aLoadedBusyboxLandsInTheLoadersNamespace() throws Exception {
		String marked = buildMarkedBusybox("loaded");
		Path saved = dir.resolve("saved.tar");
		dockerA.docker("save", "-o", saved.toString(), "busybox:latest").assertOk();
		dockerA.docker("rmi", "busybox:latest").assertOk();
		assertThat(engine.docker("image", "inspect", marked).exitCode()).as("A's image is gone").isNotZero();
		DockerCli.Result loaded = dockerA.docker("load", "-i", saved.toString()).assertOk();
		assertThat(loaded.out()).contains("Loaded image: busybox:latest").doesNotContain("berth.local");
		assertThat(dockerA.docker("run", "--rm", "busybox", "cat", "/marker").assertOk().trimmed()).isEqualTo("loaded");
		bStillRunsTheRealBusybox();

		// an archive naming the shared busybox outright, made from A's image with plain tar and sed
		Path raw = dir.resolve("raw.tar");
		String rawName = Admin.uniqueName("raw");
		engine.docker("tag", marked, rawName + ":1").assertOk();
		engine.docker("save", "-o", raw.toString(), rawName + ":1").assertOk();
		engine.docker("rmi", rawName + ":1").assertOk();
		Path unpacked = Files.createDirectories(dir.resolve("unpacked"));
		DockerCli.Result made = engine.exec(null, java.time.Duration.ofSeconds(60), "/bin/bash", "-c",
				"set -e; cd " + unpacked + "; tar -xf " + raw + "; sed -i 's#docker.io/library/" + rawName + ":1#"
						+ "docker.io/library/busybox:latest#g; s#" + rawName + ":1#busybox:latest#g; s#\"" + rawName
						+ "\":{\"1\"#\"busybox\":{\"latest\"#g' $(ls manifest.json repositories index.json 2>/dev/null);"
						+ " grep -q busybox:latest manifest.json; tar -cf " + dir.resolve("evil.tar") + " *");
		made.assertOk();
		dockerB.docker("load", "-i", dir.resolve("evil.tar").toString()).assertOk();
		assertThat(engineId("busybox:latest")).as("the shared busybox after B loaded an archive naming it")
			.isEqualTo(busyboxId);
		assertThat(dockerB.docker("run", "--rm", "busybox", "cat", "/marker").assertOk().trimmed())
			.as("B's own load shadows busybox for B").isEqualTo("loaded");
		assertThat(dockerA.docker("run", "--rm", "busybox", "sh", "-c", "cat /marker || echo none").assertOk().trimmed())
			.as("but not for A, whose own busybox is gone").isEqualTo("loaded");
	}

	@Test
	void aTenantsImageIsInvisibleToAnotherByNameIdAndPrefix() throws Exception {
		String id = buildMarkedBusybox("hidden");
		dockerA.docker("tag", id, "secret:1").assertOk();
		String hex = id.substring("sha256:".length());
		for (String ref : List.of("secret:1", id, hex, hex.substring(0, 12), "berth.local/" + a.tenant() + "/d/secret:1")) {
			DockerCli.Result inspected = dockerB.docker("image", "inspect", ref);
			assertThat(inspected.exitCode()).as("B inspects %s", ref).isNotZero();
			assertThat(inspected.err()).as("B inspects %s", ref).contains("No such image");
			DockerCli.Result history = dockerB.docker("history", ref);
			assertThat(history.err()).as("B's history of %s", ref).contains("No such image");
			DockerCli.Result tagged = dockerB.docker("tag", ref, "mine:1");
			assertThat(tagged.err()).as("B tags %s", ref).contains("No such image");
			DockerCli.Result removed = dockerB.docker("rmi", ref);
			assertThat(removed.err()).as("B removes %s", ref).contains("No such image");
			String name = Admin.uniqueName("b-steal");
			containers.add(name);
			DockerCli.Result created = dockerB.docker("create", "--pull", "never", "--name", name, ref, "true");
			assertThat(created.exitCode()).as("B creates a container of %s", ref).isNotZero();
		}
		assertThat(engineId(id)).isEqualTo(id);
		assertThat(engine.docker("ps", "-aq", "--filter", "label=berth.tenant=" + b.tenant()).trimmed()).isEmpty();
	}

	/**
	 * A build without {@code -t}, a commit and an import without a name: as on an engine of one's own,
	 * the image has no name but is its maker's to use by ID, listed as {@code <none>}, and nobody else's.
	 */
	@Test
	void anImageMadeWithoutANameIsItsMakersById() throws Exception {
		Path context = Files.createDirectories(dir.resolve("ctx-unnamed"));
		String marker = Admin.uniqueName("unnamed"); // no build cache from an earlier run
		Files.writeString(context.resolve("Dockerfile"), "FROM busybox\nRUN echo " + marker + " > /marker\n");
		String out = dockerA.docker("build", context.toString()).assertOk().out();
		assertThat(out).contains("Successfully built").doesNotContain("Successfully tagged").doesNotContain("berth.local");
		Matcher built = Pattern.compile("Successfully built ([0-9a-f]{12})").matcher(out);
		assertThat(built.find()).as(out).isTrue();
		String shortId = built.group(1);
		String id = dockerA.docker("image", "inspect", "-f", "{{.Id}}", shortId).assertOk().trimmed();
		engineImages.add(id);
		assertThat(dockerA.docker("run", "--rm", shortId, "cat", "/marker").assertOk().trimmed()).isEqualTo(marker);
		assertThat(dockerA.docker("image", "inspect", "-f", "{{json .RepoTags}}", id).assertOk().trimmed()).isEqualTo("[]");
		assertThat(dockerA.docker("images", "--format", "{{.ID}} {{.Repository}}:{{.Tag}}").assertOk().out())
			.contains(shortId + " <none>:<none>").doesNotContain("berth.local");
		assertThat(dockerA.docker("images", "-q", "--filter", "dangling=true").assertOk().out()).contains(shortId);
		assertThat(dockerA.docker("images", "-q", "--filter", "dangling=false").assertOk().out()).doesNotContain(shortId);
		assertThat(dockerB.docker("images", "-a", "-q").assertOk().out()).doesNotContain(shortId);
		for (String ref : List.of(id, shortId)) {
			assertThat(dockerB.docker("image", "inspect", ref).err()).as("B inspects %s", ref).contains("No such image");
			String name = Admin.uniqueName("b-unnamed");
			containers.add(b.tenant() + "_" + name);
			DockerCli.Result created = dockerB.docker("create", "--pull", "never", "--name", name, ref, "true");
			assertThat(created.exitCode()).as("B creates a container of %s", ref).isNotZero();
			assertThat(created.err()).as("B creates a container of %s", ref).contains("No such image");
			// a list pinned to an image is no way to learn that it exists
			assertThat(dockerB.docker("images", "--filter", "before=" + ref).err()).as("B lists before %s", ref)
				.contains("No such image");
		}

		String container = Admin.uniqueName("a-commit");
		containers.add(a.tenant() + "_" + container);
		dockerA.docker("run", "--name", container, "busybox", "sh", "-c", "echo committed > /marker").assertOk();
		String committed = dockerA.docker("commit", container).assertOk().trimmed();
		engineImages.add(committed);
		assertThat(dockerA.docker("run", "--rm", committed, "cat", "/marker").assertOk().trimmed()).isEqualTo("committed");
		// named later, then the name taken off: <none> again, still A's
		dockerA.docker("tag", committed, "later:1").assertOk();
		assertThat(dockerA.docker("rmi", "later:1").assertOk().out()).contains("Untagged: later:1").doesNotContain("Deleted");
		assertThat(dockerA.docker("images", "--format", "{{.ID}} {{.Repository}}").assertOk().out())
			.contains(committed.substring(7, 19) + " <none>");
		Path exported = dir.resolve("unnamed.tar");
		dockerA.docker("export", "-o", exported.toString(), container).assertOk();
		String imported = dockerA.docker("import", exported.toString()).assertOk().trimmed();
		engineImages.add(imported);
		assertThat(dockerA.docker("run", "--rm", imported, "cat", "/marker").assertOk().trimmed()).isEqualTo("committed");
		assertThat(dockerB.docker("image", "inspect", imported).err()).contains("No such image");

		DockerCli.Result removed = dockerA.docker("rmi", shortId).assertOk();
		assertThat(removed.out()).contains("Deleted: " + id).doesNotContain("Untagged").doesNotContain("berth.local");
		assertThat(engine.docker("image", "inspect", id).exitCode()).as("the unnamed image left the engine").isNotZero();
	}

	/** A build without {@code -t}: the full ID of the image it made. */
	private String buildUnnamed(DockerCli docker, String marker) throws Exception {
		String unique = Admin.uniqueName(marker); // no build cache from an earlier run
		Path context = Files.createDirectories(dir.resolve("ctx-" + unique));
		Files.writeString(context.resolve("Dockerfile"), "FROM busybox\nRUN echo " + unique + " > /marker\n");
		String out = docker.docker("build", context.toString()).assertOk().out();
		Matcher built = Pattern.compile("Successfully built ([0-9a-f]{12})").matcher(out);
		assertThat(built.find()).as(out).isTrue();
		String id = engineId(built.group(1));
		engineImages.add(id);
		return id;
	}

	/**
	 * {@code image prune} takes the tenant's images that none of its containers uses: the unnamed ones,
	 * and with {@code -a} the named ones too. Images in use, another tenant's and the shared cache stay.
	 */
	@Test
	void imagePruneTakesTheTenantsUnusedImagesOnly() throws Exception {
		String unused = buildUnnamed(dockerA, "prune-unused");
		String used = buildUnnamed(dockerA, "prune-used");
		String container = Admin.uniqueName("a-prune");
		containers.add(a.tenant() + "_" + container);
		dockerA.docker("run", "--name", container, used, "true").assertOk();
		// a second tag: the engine alone would untag an image a container uses, so this checks the prune's own test
		dockerA.docker("tag", used, "inuse:1").assertOk();
		build(dockerA, "keep:1", "FROM busybox\nRUN echo " + Admin.uniqueName("named") + " > /marker\n").assertOk();
		String named = engineId("berth.local/" + a.tenant() + "/d/keep:1");
		engineImages.add(named);
		String others = buildUnnamed(dockerB, "prune-others");

		DockerCli.Result pruned = dockerA.docker("image", "prune", "-f").assertOk();
		assertThat(pruned.out()).contains("deleted: " + unused).doesNotContain("untagged").doesNotContain("berth.local");
		assertThat(engine.docker("image", "inspect", unused).exitCode()).as("the unused unnamed image").isNotZero();
		for (String kept : List.of(used, named, others)) {
			assertThat(engineId(kept)).as("kept by a plain prune").isEqualTo(kept);
		}
		assertThat(dockerA.docker("run", "--rm", "keep:1", "cat", "/marker").assertOk().trimmed()).startsWith("named-");

		DockerCli.Result all = dockerA.docker("image", "prune", "-a", "-f").assertOk();
		assertThat(all.out()).contains("untagged: keep:1").contains("deleted: " + named).doesNotContain("berth.local");
		assertThat(engine.docker("image", "inspect", named).exitCode()).as("the unused named image").isNotZero();
		assertThat(engineId(used)).as("the image a container of A uses").isEqualTo(used);
		assertThat(all.out()).doesNotContain("inuse:1");
		assertThat(dockerA.docker("image", "inspect", "-f", "{{.Id}}", "inuse:1").assertOk().trimmed()).isEqualTo(used);
		assertThat(engineId(others)).as("B's image").isEqualTo(others);
		assertThat(dockerB.docker("run", "--rm", others, "cat", "/marker").assertOk().trimmed()).startsWith("prune-others");
		assertThat(dockerA.docker("image", "prune", "-f", "--filter", "until=1h").err()).contains("invalid filter 'until'");
		assertThat(dockerA.docker("image", "prune", "-f", "--filter", "before=" + used).err())
			.contains("invalid filter 'before'");
		for (String[] call : new String[][] { { "POST", "/v1.41/images/prune" }, { "GET", "/v1.41/images/json" } }) {
			Raw.Answer bad = Raw.request(port, call[0], call[1] + "?filters=%7Bnope", "Authorization: Bearer " + a.key());
			assertThat(bad.status()).as("%s %s with broken filters", call[0], call[1]).isEqualTo(400);
			assertThat(bad.body()).contains("filters parameter must be a JSON object");
		}
	}

	@Test
	void rmiTakesOnlyTheTenantsOwnReference() throws Exception {
		dockerA.docker("tag", "busybox", "mybox:1").assertOk();
		DockerCli.Result removed = dockerA.docker("rmi", "mybox:1").assertOk();
		assertThat(removed.out()).contains("Untagged: mybox:1").doesNotContain("Deleted");
		DockerCli.Result shared = dockerA.docker("rmi", "busybox");
		assertThat(shared.exitCode()).as("A removes the shared busybox").isNotZero();
		assertThat(shared.err()).contains("shared image cache");
		assertThat(dockerA.docker("rmi", "-f", busyboxId).exitCode()).as("A removes busybox by ID").isNotZero();
		bStillRunsTheRealBusybox();
		String container = Admin.uniqueName("a-run");
		containers.add(container);
		dockerA.docker("run", "--name", container, "busybox", "true").assertOk();
	}

	@Test
	void aCredentialedPullIsThePullersOnly() throws Exception {
		String repo = "127.0.0.1:5000/" + Admin.uniqueName("private");
		String id = buildMarkedBusybox("private");
		engine.docker("tag", id, repo + ":1").assertOk();
		engine.docker("push", repo + ":1").assertOk();
		engine.docker("rmi", repo + ":1").assertOk();
		dockerA.docker("rmi", "busybox:latest").assertOk();
		assertThat(engine.docker("image", "inspect", id).exitCode()).as("the pushed image left the engine").isNotZero();

		String auth = Base64.getUrlEncoder()
			.encodeToString("{\"username\":\"alice\",\"password\":\"s3cret\",\"serveraddress\":\"127.0.0.1:5000\"}"
				.getBytes(StandardCharsets.UTF_8));
		Raw.Answer pulled = Raw.request(port, "POST", "/v1.41/images/create?fromImage=" + repo + "&tag=1",
				"Authorization: Bearer " + a.key(), "X-Registry-Auth: " + auth);
		assertThat(pulled.status()).as(pulled.body()).isEqualTo(200);
		assertThat(pulled.body()).contains("Downloaded newer image").doesNotContain("\"error\"");
		engineImages.add(id);
		assertThat(engine.docker("image", "inspect", repo + ":1").exitCode()).as("no shared tag on the engine")
			.isNotZero();
		assertThat(dockerA.docker("run", "--rm", repo + ":1", "cat", "/marker").assertOk().trimmed()).isEqualTo("private");
		for (String ref : List.of(repo + ":1", id, id.substring(7, 19))) {
			assertThat(dockerB.docker("image", "inspect", ref).err()).as("B inspects %s", ref).contains("No such image");
		}
	}

	private DockerCli.Result build(DockerCli docker, String name, String dockerfile) throws Exception {
		Path context = Files.createDirectories(dir.resolve("ctx-" + Admin.uniqueName("b")));
		Files.writeString(context.resolve("Dockerfile"), dockerfile);
		return docker.docker("build", "-t", name, context.toString());
	}

	@Test
	void buildsStartOnlyFromImagesTheTenantMayUse() throws Exception {
		String id = buildMarkedBusybox("base");
		build(dockerA, "child:1", "FROM busybox\nRUN cat /marker > /copied\n").assertOk();
		assertThat(dockerA.docker("run", "--rm", "child:1", "cat", "/copied").assertOk().trimmed())
			.as("A's build starts from A's own busybox").isEqualTo("base");

		String hex = id.substring("sha256:".length());
		for (String dockerfile : List.of("FROM " + id + "\n", "FROM " + hex.substring(0, 12) + "\n",
				"FROM berth.local/" + a.tenant() + "/d/busybox:latest\n",
				"ARG BASE=berth.local/" + a.tenant() + "/d/child:1\nFROM $BASE\n",
				"FROM busybox\nCOPY --from=" + hex.substring(0, 12) + " /marker /stolen\n")) {
			DockerCli.Result stolen = build(dockerB, "stolen:1", dockerfile);
			assertThat(stolen.exitCode()).as("B builds %s%s%s", dockerfile, stolen.out(), stolen.err()).isNotZero();
			assertThat(stolen.out() + stolen.err()).as("B builds %s", dockerfile).contains("No such image");
			assertThat(engine.docker("image", "inspect", "berth.local/" + b.tenant() + "/d/stolen:1").exitCode())
				.as("no image built from %s", dockerfile).isNotZero();
		}
		build(dockerB, "mine:1", "FROM busybox\nRUN (cat /marker || echo none) > /copied\n").assertOk();
		assertThat(dockerB.docker("run", "--rm", "mine:1", "cat", "/copied").assertOk().trimmed())
			.as("B's build starts from the shared busybox").isEqualTo("none");
	}

}
