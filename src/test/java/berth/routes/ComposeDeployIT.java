package berth.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import berth.testing.BerthTest;
import berth.testing.DockerCli;

/**
 * The compose file of the product's promise (issue 19), with busybox serving HTTP in place of
 * gitlab, deployed unchanged by two tenants at once from the same directory with docker-compose 1.29:
 * its relative binds become each tenant's own storage, its {@code 80:80} collides with nobody, and
 * each tenant's route answers with that tenant's content.
 */
@BerthTest
class ComposeDeployIT extends RouteITSupport {

	/** The file; only the image (and a command that serves the data directory) differ. */
	static final String COMPOSE = """
			services:
			  gitlab:
			    image: busybox:latest
			    command: ["sh", "-c", "exec httpd -f -p 80 -h /var/opt/gitlab"]
			    hostname: "front.gitlab.wip.cx"
			    ports:
			      - "80:80"
			    labels:
			      com.wip.http: front:80
			    volumes:
			      - ./config:/etc/gitlab
			      - ./logs:/var/log/gitlab
			      - ./data:/var/opt/gitlab
			""";

	@Test
	void twoTenantsDeployTheSameFileFromTheSameDirectory() throws Exception {
		Path dir = Files.createDirectories(Files.createTempDirectory("compose").resolve("seedapp"));
		Files.writeString(dir.resolve("docker-compose.yml"), COMPOSE);
		Tenant acme = tenant("acme");
		Tenant globex = tenant("globex");
		List<Tenant> both = List.of(acme, globex);
		try {
			CompletableFuture<DockerCli.Result> upA = CompletableFuture.supplyAsync(() -> acme.cli().compose(dir, "up", "-d"));
			CompletableFuture<DockerCli.Result> upB = CompletableFuture.supplyAsync(() -> globex.cli().compose(dir, "up", "-d"));
			upA.join().assertOk();
			upB.join().assertOk();

			// a remote engine never sees the client's files: each tenant copies its content in
			for (Tenant tenant : both) {
				Path page = Files.createTempDirectory("page");
				Files.writeString(page.resolve("index.html"), "served for " + tenant.name() + "\n");
				tenant.cli().docker("cp", page.resolve("index.html").toString(), "seedapp_gitlab_1:/var/opt/gitlab/")
					.assertOk();
			}
			for (Tenant tenant : both) {
				awaitServed(tenant.host("front"), "served for " + tenant.name());
			}
			// the README's other way: a one-shot container naming the same path, fed a tar of the client's files
			Path config = Files.createTempDirectory("config");
			Files.writeString(config.resolve("gitlab.rb"), "external_url 'https://front.gitlab.wip.cx'\n");
			acme.cli().exec(null, java.time.Duration.ofMinutes(1), "sh", "-c", "tar -C " + config
					+ " -c . | docker run --rm -i -v \"" + dir.resolve("config") + ":/to\" busybox tar -C /to -x").assertOk();
			assertThat(acme.cli().docker("exec", "seedapp_gitlab_1", "cat", "/etc/gitlab/gitlab.rb").assertOk().out())
				.isEqualTo("external_url 'https://front.gitlab.wip.cx'\n");
			assertThat(globex.cli().docker("exec", "seedapp_gitlab_1", "ls", "-A", "/etc/gitlab").assertOk().out())
				.as("the other tenant's config storage").isEmpty();

			String data = derivedName(dir.resolve("data"));
			for (Tenant tenant : both) {
				assertThat(tenant.cli().docker("port", "seedapp_gitlab_1", "80").assertOk().trimmed())
					.as("docker port shows the binding asked for").isEqualTo("0.0.0.0:80");
				assertThat(tenant.cli().compose(dir, "ps").assertOk().out()).contains("0.0.0.0:80->80/tcp");
				assertThat(tenant.cli().compose(dir, "port", "gitlab", "80").assertOk().trimmed()).isEqualTo("0.0.0.0:80");
				assertThat(tenant.cli().docker("inspect", "-f", "{{json .HostConfig.Binds}}", "seedapp_gitlab_1")
					.assertOk()
					.trimmed()).as("inspect shows the tenant's own paths")
					.contains("\"" + dir.resolve("data") + ":/var/opt/gitlab:rw\"");
				assertThat(tenant.cli().docker("inspect", "-f", "{{range .Mounts}}{{.Type}} {{.Source}};{{end}}",
						"seedapp_gitlab_1").assertOk().trimmed()).contains("bind " + dir.resolve("data") + ";")
					.doesNotContain("/var/lib/docker");
				assertThat(tenant.cli().docker("volume", "ls", "--format", "{{.Name}}").assertOk().out().lines())
					.as("docker volume ls lists the storage under a name derived from its path")
					.contains(data, derivedName(dir.resolve("config")), derivedName(dir.resolve("logs")));
				String onEngine = tenant.name() + "_seedapp_gitlab_1";
				assertThat(DockerCli.engine().docker("inspect", "-f", "{{range .Mounts}}{{.Type}} {{.Name}};{{end}}",
						onEngine).assertOk().trimmed()).as("the engine mounts no host path")
					.doesNotContain("bind")
					.contains("volume " + tenant.name() + "_" + data + ";");
				assertThat(DockerCli.engine().docker("inspect", "-f", "{{json .NetworkSettings.Ports}}", onEngine)
					.assertOk()
					.trimmed()).as("the engine binds no host port").doesNotContain("HostPort");
			}

			// the data outlives the containers, as a host directory would
			for (String[] down : List.of(new String[] { "down", "-t", "1" }, new String[] { "down", "-v", "-t", "1" })) {
				for (Tenant tenant : both) {
					tenant.cli().compose(dir, down).assertOk();
					awaitGone(tenant.host("front"));
					tenant.cli().compose(dir, "up", "-d").assertOk();
				}
				for (Tenant tenant : both) {
					awaitServed(tenant.host("front"), "served for " + tenant.name());
				}
			}

			// neither sees the other's storage: the same name is each tenant's own volume
			assertThat(globex.cli().docker("run", "--rm", "-v", data + ":/d", "busybox", "cat", "/d/index.html")
				.assertOk()
				.out()).isEqualTo("served for " + globex.name() + "\n");

			// removed storage is gone: the next up starts empty
			acme.cli().compose(dir, "down", "-t", "1").assertOk();
			acme.cli().docker("volume", "rm", data).assertOk();
			assertThat(acme.cli().docker("volume", "ls", "--format", "{{.Name}}").assertOk().out().lines())
				.doesNotContain(data);
			acme.cli().compose(dir, "up", "-d").assertOk();
			assertThat(acme.cli().docker("exec", "seedapp_gitlab_1", "ls", "-A", "/var/opt/gitlab").assertOk().out())
				.isEmpty();
			awaitServed(globex.host("front"), "served for " + globex.name());
		}
		finally {
			for (Tenant tenant : both) {
				tenant.cli().compose(dir, "down", "-t", "1", "--remove-orphans");
			}
		}
	}

	/**
	 * Compose's long syntax sends a bind as a mount of type bind (as compose v2 does for every bind):
	 * it becomes the same storage as the short syntax's bind of the same path, read-only where asked.
	 */
	@Test
	void bindMountsOfTheLongSyntaxAreTheSameStorage() throws Exception {
		Path dir = Files.createDirectories(Files.createTempDirectory("compose").resolve("longapp"));
		Files.writeString(dir.resolve("docker-compose.yml"), """
				services:
				  writer:
				    image: busybox:latest
				    command: ["sh", "-c", "echo from-writer > /data/file && exec sleep 300"]
				    volumes:
				      - ./data:/data
				  reader:
				    image: busybox:latest
				    command: ["sleep", "300"]
				    volumes:
				      - type: bind
				        source: ./data
				        target: /mnt/data
				        read_only: true
				""");
		Tenant acme = tenant("long");
		try {
			acme.cli().compose(dir, "up", "-d").assertOk();
			org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
					acme.cli().docker("exec", "longapp_reader_1", "cat", "/mnt/data/file").out()).isEqualTo("from-writer\n"));
			DockerCli.Result readOnly = acme.cli().docker("exec", "longapp_reader_1", "touch", "/mnt/data/x");
			assertThat(readOnly.exitCode()).as("read_only is kept").isNotZero();
			String mounts = acme.cli()
				.docker("inspect", "-f", "{{json .HostConfig.Mounts}} {{range .Mounts}}{{.Type}} {{.Source}} {{.RW}};{{end}}",
						"longapp_reader_1")
				.assertOk()
				.trimmed();
			assertThat(mounts).as("inspect shows the bind mount asked for")
				.contains("\"Type\":\"bind\"")
				.contains("\"Source\":\"" + dir.resolve("data") + "\"")
				.contains("bind " + dir.resolve("data") + " false;");
			assertThat(DockerCli.engine().docker("inspect", "-f", "{{json .HostConfig.Mounts}}", acme.name() + "_longapp_reader_1")
				.assertOk()
				.trimmed()).as("the engine got a volume mount")
				.contains("\"Type\":\"volume\"")
				.contains("\"Source\":\"" + acme.name() + "_" + derivedName(dir.resolve("data")) + "\"")
				.doesNotContain(dir.toString());
		}
		finally {
			acme.cli().compose(dir, "down", "-t", "1", "--remove-orphans");
		}
	}

	/** The volume a host path becomes, computed here independently: last two parts and 12 hex of SHA-256. */
	static String derivedName(Path path) throws Exception {
		String hash = HexFormat.of()
			.formatHex(MessageDigest.getInstance("SHA-256").digest(path.toString().getBytes(StandardCharsets.UTF_8)));
		return path.getParent().getFileName() + "-" + path.getFileName() + "-" + hash.substring(0, 12);
	}

}
