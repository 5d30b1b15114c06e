package berth.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import berth.testing.BerthTest;
import berth.testing.DockerCli.Result;

/** Named volumes, user networks, published ports and the event stream, through Berth. */
@BerthTest
class VolumeNetworkEventsIT extends CliTestSupport {

	@Test
	void namedVolumeIsSharedBetweenContainers() {
		String volume = name("vol");
		assertThat(ok("volume", "create", volume).trimmed()).isEqualTo(volume);
		assertThat(lines(ok("volume", "ls", "--format", "{{.Name}}").out())).as("docker volume ls").contains(volume);
		assertThat(inspectOnEngine("{{.Name}} {{.Driver}}", onEngine(volume))).isEqualTo(onEngine(volume) + " local");

		String token = UUID.randomUUID().toString();
		ok("run", "--rm", "--name", name("vol-writer"), "-v", volume + ":/data", "busybox", "sh", "-c",
				"echo " + token + " > /data/token");
		assertThat(ok("run", "--rm", "--name", name("vol-reader"), "-v", volume + ":/data:ro", "busybox", "cat",
				"/data/token")
			.out()).as("what a second container reads from the volume the first one wrote").isEqualTo(token + "\n");

		ok("volume", "rm", volume);
		assertThat(existsOnEngine(onEngine(volume))).as("the volume exists after docker volume rm").isFalse();
		assertThat(lines(ok("volume", "ls", "--format", "{{.Name}}").out())).doesNotContain(volume);
	}

	@Test
	void containersOnAUserNetworkReachEachOtherByName() {
		String network = name("net");
		String networkId = ok("network", "create", network).trimmed();
		assertThat(networkId).matches("[0-9a-f]{64}");
		assertThat(lines(ok("network", "ls", "--format", "{{.Name}}").out())).as("docker network ls").contains(network);

		String token = UUID.randomUUID().toString();
		String server = name("net-server");
		ok("run", "-d", "--init", "--network", network, "--name", server, "busybox", "sh", "-c",
				"mkdir /www && echo " + token + " > /www/index.html && exec httpd -f -p 80 -h /www");
		// busybox wget -T crashes: bound it with timeout instead; retry while httpd starts.
		Result fetched = ok("run", "--rm", "--init", "--network", network, "--name", name("net-client"), "busybox", "sh",
				"-c", "for i in 1 2 3 4 5 6 7 8 9 10; do timeout 5 wget -q -O - http://" + server
						+ "/index.html && exit 0; sleep 0.5; done; exit 1");
		assertThat(fetched.out()).as("page fetched by name over the user network").isEqualTo(token + "\n");
		assertThat(inspectOnEngine("{{range $k, $v := .NetworkSettings.Networks}}{{$k}}{{end}}", onEngine(server)))
			.isEqualTo(onEngine(network));

		ok("rm", "-f", server);
		ok("network", "rm", network);
		assertThat(existsOnEngine(networkId)).as("the network exists after docker network rm").isFalse();
	}

	/**
	 * A port of the engine's choosing binds on loopback and serves there; a host port the tenant names
	 * binds nothing on the shared host (it would collide with other tenants') and is shown as asked.
	 */
	@Test
	void publishedPortIsReachableOnLoopback() throws Exception {
		int named = freePort();
		String token = UUID.randomUUID().toString();
		String container = name("web");
		ok("run", "-d", "--name", container, "-p", "127.0.0.1::80", "-p", named + ":8080", "busybox", "sh", "-c",
				"mkdir /www && echo " + token + " > /www/index.html && exec httpd -f -p 80 -h /www");
		String chosen = ok("port", container, "80").trimmed();
		assertThat(chosen).as("docker port, engine-chosen").matches("127\\.0\\.0\\.1:\\d+");
		int port = Integer.parseInt(chosen.substring(chosen.indexOf(':') + 1));
		assertThat(ok("port", container, "8080").trimmed()).as("docker port, named").isEqualTo("0.0.0.0:" + named);
		assertThat(inspectOnEngine("{{json .NetworkSettings.Ports}}", onEngine(container))).as("bound on the engine")
			.doesNotContain("\"" + named + "\"");

		HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/index.html"))
			.timeout(Duration.ofSeconds(5))
			.build();
		HttpResponse<String> response = null;
		Instant deadline = Instant.now().plusSeconds(15);
		while (response == null) {
			try {
				response = http.send(request, HttpResponse.BodyHandlers.ofString());
			}
			catch (ConnectException | java.net.http.HttpTimeoutException e) {
				if (Instant.now().isAfter(deadline)) {
					throw new AssertionError("published port " + port + " never answered", e);
				}
				Thread.sleep(200);
			}
			catch (IOException e) {
				if (Instant.now().isAfter(deadline)) {
					throw e;
				}
				Thread.sleep(200);
			}
		}
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).as("page served by the container on the published port").isEqualTo(token + "\n");
		ok("rm", "-f", container);
	}

	@Test
	void eventsShowTheContainersLifeBothRecordedAndLive() throws InterruptedException {
		long since = Instant.now().getEpochSecond() - 1;
		String container = name("events");
		String id = ok("run", "-d", "--name", container, "busybox", "true").trimmed();
		ok("wait", container);
		ok("rm", container);
		Thread.sleep(1100);
		long until = Instant.now().getEpochSecond();
		Result recorded = ok("events", "--since", Long.toString(since), "--until", Long.toString(until), "--filter",
				"container=" + id, "--format", "{{.Type}} {{.Action}} {{.Actor.Attributes.name}}");
		assertThat(lines(recorded.out())).as("docker events --since/--until for the container")
			.containsSubsequence(List.of("container create " + container, "container start " + container,
					"container die " + container, "container destroy " + container));

		String label = name("live");
		// --since makes the stream start before the container does, however long the CLI takes to connect.
		String liveSince = Long.toString(Instant.now().getEpochSecond() - 1);
		try (LiveCommand events = live("events", "--since", liveSince, "--filter", "label=" + label, "--format",
				"{{.Action}} {{.Actor.ID}}")) {
			String liveId = ok("run", "-d", "--label", label, "--name", name("events-live"), "busybox", "sleep", "30")
				.trimmed();
			events.awaitLine(("start " + liveId)::equals, Duration.ofSeconds(15));
			assertThat(events.isAlive()).as("docker events keeps streaming").isTrue();
			ok("rm", "-f", liveId);
			events.awaitLine(("destroy " + liveId)::equals, Duration.ofSeconds(15));
		}
	}

}
