package berth.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import berth.isolation.ImageNames;
import berth.testing.BerthTest;
import berth.testing.DockerCli.Result;

/**
 * Images through Berth: a legacy build with a context, images/tag/rmi, push to and pull from the
 * local registry, save/load and export/import. The tenant's own tags live on the engine in its
 * namespace ({@link ImageNames}).
 */
@BerthTest
class ImageIT extends CliTestSupport {

	private static final String REGISTRY = "127.0.0.1:5000";

	/** A build context whose data file holds a fresh token, so every build makes a new image. */
	private record Context(Path dir, String token, String dataSha) {
	}

	private Context context() throws IOException {
		Path dir = tempDir();
		String token = UUID.randomUUID().toString();
		Files.writeString(dir.resolve("data.txt"), token + "\n");
		Files.writeString(dir.resolve("Dockerfile"), """
				FROM busybox
				COPY data.txt /data.txt
				RUN sha256sum /data.txt > /data.sum && echo "built $(cat /data.txt)"
				CMD ["cat", "/data.sum"]
				""");
		return new Context(dir, token, sha256((token + "\n").getBytes(StandardCharsets.UTF_8)));
	}

	/** Builds through Berth (legacy builder, DOCKER_BUILDKIT=0) and returns the image id. */
	private String build(Context context, String tag) {
		image(tag);
		Result built = ok("build", "-t", tag, context.dir().toString());
		assertThat(built.out()).as("docker build output")
			.contains("Sending build context to Docker daemon")
			.contains("built " + context.token())
			.contains("Successfully tagged " + tag);
		String id = ok("image", "inspect", "--format", "{{.Id}}", tag).trimmed();
		assertThat(inspectOnEngine("{{.Id}}", imageOnEngine(tag))).as("the built image on the engine, in the tenant's namespace")
			.isEqualTo(id);
		assertThat(existsOnEngine(tag)).as("no shared tag of the tenant's name").isFalse();
		return id;
	}

	@Test
	void buildTagPushRemovePullAndRun() throws IOException {
		Context context = context();
		String local = name("app") + ":1";
		String id = build(context, local);
		assertThat(hashOf(ok("run", "--rm", local).out())).as("the built image's RUN hashed the COPYed context file")
			.isEqualTo(context.dataSha());

		String remote = image(REGISTRY + "/" + name("app") + ":t");
		ok("tag", local, remote);
		assertThat(lines(ok("images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}").out()))
			.as("docker images lists both tags of the built image")
			.contains(local + " " + shortId(id), remote + " " + shortId(id));

		Result pushed = ok("push", remote);
		assertThat(pushed.out()).as("docker push through Berth").contains("t: digest: sha256:");

		Result removed = ok("rmi", local, remote);
		assertThat(removed.out()).as("docker rmi of both tags").contains("Untagged: " + local).contains("Deleted: " + id);
		assertThat(existsOnEngine(id)).as("the image is still on the engine after docker rmi").isFalse();

		Result pulled = ok("pull", remote);
		assertThat(pulled.out()).as("docker pull through Berth").contains("Downloaded newer image for " + remote);
		assertThat(inspectOnEngine("{{.Id}}", remote)).as("the pulled image is the pushed one").isEqualTo(id);
		assertThat(hashOf(ok("run", "--rm", remote).out())).as("the pulled image runs with its content")
			.isEqualTo(context.dataSha());
		ok("rmi", remote);
		assertThat(ok("images", "--format", "{{.Repository}}:{{.Tag}}").out()).as("the tenant's images after rmi")
			.doesNotContain(remote);
		assertThat(existsOnEngine(remote)).as("the pulled image stays in the shared cache").isTrue();
	}

	@Test
	void saveLoadExportImport() throws IOException {
		Context context = context();
		String tag = name("saved") + ":1";
		String id = build(context, tag);
		Path dir = tempDir();

		Path saved = dir.resolve("saved.tar");
		ok("save", "-o", saved.toString(), tag);
		assertThat(tarEntries(saved)).as("entries of the docker save archive").contains("manifest.json");
		Result manifest = shell("tar -xOf " + saved + " manifest.json");
		assertSucceeded(manifest, "tar -xOf saved.tar manifest.json");
		assertThat(manifest.out()).as("the saved archive names the image as the tenant does").contains("\"" + tag + "\"")
			.doesNotContain("berth.local");
		ok("rmi", tag);
		assertThat(existsOnEngine(id)).as("the image is still on the engine after docker rmi").isFalse();
		Result loaded = ok("load", "-i", saved.toString());
		assertThat(loaded.out()).as("docker load").contains("Loaded image: " + tag);
		assertThat(inspectOnEngine("{{.Id}}", imageOnEngine(tag))).as("the loaded image is the saved one").isEqualTo(id);

		String container = name("export");
		ok("create", "--name", container, tag);
		Path exported = dir.resolve("exported.tar");
		ok("export", "-o", exported.toString(), container);
		assertThat(tarEntries(exported)).as("entries of the docker export archive").contains("data.txt", "data.sum");

		String imported = image(name("imported") + ":1");
		ok("import", exported.toString(), imported);
		assertThat(ok("run", "--rm", imported, "cat", "/data.txt").out()).as("a file of the imported file system")
			.isEqualTo(context.token() + "\n");

		String fromStdin = image(name("imported") + ":2");
		Result piped = shell("docker import - " + fromStdin + " < " + exported);
		assertSucceeded(piped, "docker import - " + fromStdin + " < exported.tar");
		assertThat(ok("run", "--rm", fromStdin, "cat", "/data.sum").out())
			.as("a file of the file system imported from stdin")
			.startsWith(context.dataSha());
		ok("rm", container);
		ok("rmi", imported, fromStdin, tag);
	}

	/** Where the engine keeps a tag of the tenant's. */
	private String imageOnEngine(String reference) {
		return ImageNames.engineTag(tenant.tenant(), ImageNames.parse(reference).orElseThrow());
	}

	private static String shortId(String id) {
		return id.substring("sha256:".length(), "sha256:".length() + 12);
	}

	/** The names in a tar archive (ustar headers), without leading "./". */
	private static List<String> tarEntries(Path tar) throws IOException {
		List<String> names = new ArrayList<>();
		try (InputStream in = Files.newInputStream(tar)) {
			byte[] header = new byte[512];
			while (in.readNBytes(header, 0, 512) == 512 && header[0] != 0) {
				String name = new String(header, 0, 100, StandardCharsets.UTF_8).replace("\0", "");
				String prefix = new String(header, 345, 155, StandardCharsets.UTF_8).replace("\0", "");
				String full = prefix.isEmpty() ? name : prefix + "/" + name;
				names.add(full.startsWith("./") ? full.substring(2) : full);
				long size = Long.parseLong(new String(header, 124, 12, StandardCharsets.US_ASCII).replace("\0", "").trim(), 8);
				in.skipNBytes((size + 511) / 512 * 512);
			}
		}
		return names;
	}

}
