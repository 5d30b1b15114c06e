package berth.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;

import berth.testing.BerthDockerHost;
import berth.testing.BerthTest;

/**
 * Testcontainers for Java with Berth as its Docker host, as a developer runs a test suite on a shared
 * Berth: {@code tcp://<key>.berth.localhost:<port>} (Testcontainers sends no custom headers, so the key
 * is in the Host; {@link berth.testing.BerthNames} resolves the name to loopback), Ryuk disabled
 * ({@code TESTCONTAINERS_RYUK_DISABLED=true}, set for Failsafe in the pom: its image cannot be pulled
 * here, and it would need the engine's socket). A {@code busybox} web server on an exposed port, started when its log says so, reached on
 * the port Testcontainers reports (Berth binds published ports to 127.0.0.1 on the shared engine),
 * changed by {@code copyFileToContainer} and read by {@code execInContainer}.
 */
@BerthTest
class TestcontainersIT extends CliTestSupport {

	@BeforeAll
	void pointTestcontainersAtBerth() {
		System.setProperty(BerthDockerHost.PROPERTY, "tcp://" + tenant.key() + ".berth.localhost:" + port);
	}

	@AfterAll
	void forgetBerth() {
		System.clearProperty(BerthDockerHost.PROPERTY);
	}

	@Test
	void aGenericContainerServesOnItsExposedPortAndTakesExecAndCopiedFiles() throws Exception {
		assertThat(DockerClientFactory.instance().isDockerAvailable()).isTrue();
		assertThat(DockerClientFactory.instance().getTransportConfig().getDockerHost().getHost())
			.as("Testcontainers talks to Berth, not to the engine's socket")
			.isEqualTo(tenant.key() + ".berth.localhost");
		try (GenericContainer<?> web = new GenericContainer<>(DockerImageName.parse("busybox"))
			.withCommand("sh", "-c",
					"mkdir -p /www && echo served > /www/index.html && httpd -p 8080 -h /www && echo ready && exec sleep 600")
			.withExposedPorts(8080)
			.waitingFor(Wait.forLogMessage(".*ready.*\\n", 1).withStartupTimeout(Duration.ofSeconds(60)))) {
			web.start();
			String base = "http://" + web.getHost() + ":" + web.getMappedPort(8080);
			assertThat(get(base + "/index.html")).isEqualTo("served\n");

			web.copyFileToContainer(Transferable.of("copied through Berth\n"), "/www/copied.txt");
			assertThat(get(base + "/copied.txt")).isEqualTo("copied through Berth\n");

			ExecResult exec = web.execInContainer("sh", "-c", "cat /www/copied.txt; echo err >&2; exit 3");
			assertThat(exec.getExitCode()).isEqualTo(3);
			assertThat(exec.getStdout()).isEqualTo("copied through Berth\n");
			assertThat(exec.getStderr()).isEqualTo("err\n");

			// on the engine: the tenant's container, its port bound to loopback only
			String id = web.getContainerId();
			assertThat(inspectOnEngine("{{index .Config.Labels \"berth.tenant\"}}", id)).isEqualTo(tenant.tenant());
			assertThat(inspectOnEngine("{{(index (index .NetworkSettings.Ports \"8080/tcp\") 0).HostIp}}", id))
				.isEqualTo("127.0.0.1");
			assertThat(web.getContainerInfo().getConfig().getLabels()).doesNotContainKey("berth.tenant");
		}
	}

	@Test
	void anImageWhoseNameHasSlashesIsFoundThoughDockerJavaEncodesThem() {
		// docker-java writes /images/127.0.0.1:5000%2F<prefix>%2Fbox:1/json: the tenant's own tag, found
		String image = "127.0.0.1:5000/" + prefix + "/box:1";
		ok("tag", "busybox", image);
		try (GenericContainer<?> box = new GenericContainer<>(DockerImageName.parse(image))
			.withCommand("sh", "-c", "echo up from a slashed name && exec sleep 600")
			.waitingFor(Wait.forLogMessage(".*up from a slashed name.*\\n", 1).withStartupTimeout(Duration.ofSeconds(60)))) {
			box.start();
			assertThat(box.getContainerInfo().getConfig().getImage()).isEqualTo(image);
			assertThat(inspectOnEngine("{{.Config.Image}}", box.getContainerId()))
				.isEqualTo("berth.local/" + tenant.tenant() + "/r/127.0.0.1__5000/" + prefix + "/box:1");
		}
	}

	private static String get(String url) throws Exception {
		try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
			HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(response.statusCode()).as(url).isEqualTo(200);
			return response.body();
		}
	}

}
