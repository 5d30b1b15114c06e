package berth.gateway.fastpath;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import berth.testing.Admin;
import berth.testing.BerthTest;
import berth.testing.DockerCli;
import berth.testing.Forwarder;
import berth.testing.Raw;

/**
 * The fast path's own HTTP behaviour, seen from a client socket and from the engine's side of a
 * forwarder: keep-alive on both sides, HEAD, refusals, pipelining across the fast path and the
 * gateway, outages, and a client that leaves in the middle of a stream.
 */
@BerthTest
class FastPathIT {

	static final Forwarder engine = Forwarder.toDockerEngine();

	@DynamicPropertySource
	static void engineOverTcp(DynamicPropertyRegistry registry) {
		engine.serveAsEngine(registry);
	}

	@AfterAll
	static void closeEngine() {
		engine.close();
	}

	@LocalServerPort
	int port;

	@Autowired
	FastPathSupport fastPath;

	Admin.TenantKey tenant;

	String auth;

	@BeforeEach
	void setUp() {
		tenant = new Admin(port).newTenant("fast");
		auth = "Authorization: Bearer " + tenant.key();
	}

	@Test
	void carriesOrdinaryCallsAndLeavesTheRestToTheGateway() {
		assertThat(fastPath.carries(request("GET", "/_ping"))).isTrue();
		assertThat(fastPath.carries(request("HEAD", "/_ping"))).isTrue();
		assertThat(fastPath.carries(request("GET", "/v1.41/containers/json?all=1"))).isTrue();
		assertThat(fastPath.carries(request("POST", "/v1.41/containers/abc/start"))).isTrue();
		assertThat(fastPath.carries(request("PUT", "/v1.41/containers/abc/archive?path=/tmp", "Transfer-Encoding", "chunked")))
			.isTrue();
		// refused by the policy on the fast path as on the gateway
		assertThat(fastPath.carries(request("GET", "/v1.41/swarm"))).isTrue();

		assertThat(fastPath.carries(request("POST", "/v1.41/containers/create", "Content-Length", "2"))).isFalse();
		assertThat(fastPath.carries(request("POST", "/v1.41/containers/create"))).isFalse();
		assertThat(fastPath.carries(request("POST", "/v1.41/containers/abc/start", "Content-Length", "2"))).isFalse();
		assertThat(fastPath.carries(request("GET", "/api/v1/plans"))).isFalse();
		assertThat(fastPath.carries(request("GET", "/api"))).isFalse();
		assertThat(fastPath.carries(request("GET", "/_ping", "Upgrade", "tcp"))).isFalse();
		assertThat(fastPath.carries(request("PUT", "/v1.41/containers/abc/archive", "Expect", "100-continue"))).isFalse();
		assertThat(fastPath.carries(new DefaultHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/_ping"))).isFalse();
	}

	@Test
	void keepAliveConnectionsAreReusedOnBothSides() {
		try (Raw.Connection client = new Raw.Connection(port)) {
			int before = engine.accepted();
			for (int i = 0; i < 5; i++) {
				Raw.Answer ping = client.write(Raw.Connection.request("GET", "/_ping", auth)).read(false);
				assertThat(ping.status()).isEqualTo(200);
				assertThat(ping.body()).isEqualTo("OK");
				Raw.Answer version = client.write(Raw.Connection.request("GET", "/v1.41/version", auth)).read(false);
				assertThat(version.status()).isEqualTo(200);
				assertThat(version.body()).contains("\"ApiVersion\"");
			}
			assertThat(engine.accepted() - before).as("new engine connections for ten requests").isLessThanOrEqualTo(1);
		}
	}

	@Test
	void headAnswersCarryTheHeadersAndNoBody() {
		try (Raw.Connection client = new Raw.Connection(port)) {
			Raw.Answer head = client.write(Raw.Connection.request("HEAD", "/_ping", auth)).read(true);
			assertThat(head.status()).isEqualTo(200);
			assertThat(head.head()).contains("Api-Version: ").doesNotContainIgnoringCase("connection: close");
			assertThat(head.body()).isEmpty();
			// the next answer starts right where the head ended
			Raw.Answer ping = client.write(Raw.Connection.request("GET", "/_ping", auth)).read(false);
			assertThat(ping.status()).isEqualTo(200);
			assertThat(ping.body()).isEqualTo("OK");
		}
	}

	@Test
	void refusalsAreInTheEngineShapeAndKeepTheConnectionWhenNothingIsLeftToRead() {
		try (Raw.Connection client = new Raw.Connection(port)) {
			Raw.Answer none = client.write(Raw.Connection.request("GET", "/_ping")).read(false);
			assertThat(none.status()).isEqualTo(401);
			assertThat(none.head()).containsIgnoringCase("Content-Type: application/json");
			assertThat(none.body()).isEqualTo("{\"message\":\"berth: no API key: send 'Authorization: Bearer <key>'"
					+ " (HttpHeaders in ~/.docker/config.json)\"}\n");
			Raw.Answer missing = client.write(Raw.Connection.request("GET", "/v1.41/containers/no-such-thing/json", auth))
				.read(false);
			assertThat(missing.status()).isEqualTo(404);
			assertThat(missing.body()).isEqualTo("{\"message\":\"No such container: no-such-thing\"}\n");
			Raw.Answer swarm = client.write(Raw.Connection.request("POST", "/v1.41/swarm/init", auth, "Content-Length: 0"))
				.read(false);
			assertThat(swarm.status()).isEqualTo(403);
			assertThat(swarm.body()).contains("berth: swarm is not available to tenants");
			// answered in the engine's place (an engine outside a swarm), and the connection goes on
			Raw.Answer leave = client.write(Raw.Connection.request("POST", "/v1.41/swarm/leave?force=1", auth, "Content-Length: 0"))
				.read(false);
			assertThat(leave.status()).isEqualTo(503);
			assertThat(leave.body()).isEqualTo("{\"message\":\"This node is not part of a swarm\"}\n");
			Raw.Answer plugins = client.write(Raw.Connection.request("GET", "/v1.41/plugins", auth)).read(false);
			assertThat(plugins.status()).isEqualTo(200);
			assertThat(plugins.body()).isEqualTo("[]\n");
			Raw.Answer ping = client.write(Raw.Connection.request("GET", "/_ping", auth)).read(false);
			assertThat(ping.status()).isEqualTo(200);
		}
	}

	@Test
	void aBodyRefusedBeforeItIsReadIsReadToItsEndAndTheConnectionGoesOn() {
		try (Raw.Connection client = new Raw.Connection(port)) {
			// announces a megabyte, sends a little of it: the answer comes first, then the rest is taken
			Raw.Answer refused = client
				.write(Raw.Connection.request("PUT", "/v1.41/containers/no-such-thing/archive?path=/tmp", auth,
						"Content-Type: application/x-tar", "Content-Length: 1048576") + "x".repeat(1000))
				.read(false);
			assertThat(refused.status()).isEqualTo(404);
			assertThat(refused.head()).doesNotContainIgnoringCase("Connection: close");
			assertThat(refused.body()).isEqualTo("{\"message\":\"No such container: no-such-thing\"}\n");
			client.write("x".repeat(1048576 - 1000));
			Raw.Answer ping = client.write(Raw.Connection.request("GET", "/_ping", auth)).read(false);
			assertThat(ping.status()).isEqualTo(200);
			assertThat(ping.body()).isEqualTo("OK");
		}
	}

	@Test
	void anUploadTheEngineRefusesEarlyIsReadToItsEndAndTheConnectionGoesOn() {
		String container = DockerCli.forKey(port, tenant.key()).docker("create", "busybox", "true").assertOk().trimmed();
		try (Raw.Connection client = new Raw.Connection(port)) {
			int announced = 4 << 20;
			// the engine answers a missing directory before it reads the archive
			Raw.Answer refused = client
				.write(Raw.Connection.request("PUT", "/v1.41/containers/" + container + "/archive?path=/no/such/dir", auth,
						"Content-Type: application/x-tar", "Content-Length: " + announced) + "x".repeat(64 * 1024))
				.read(false);
			assertThat(refused.status()).isEqualTo(404);
			assertThat(refused.body()).contains("/no/such/dir");
			client.write("x".repeat(announced - 64 * 1024));
			Raw.Answer ping = client.write(Raw.Connection.request("GET", "/_ping", auth)).read(false);
			assertThat(ping.status()).isEqualTo(200);
			assertThat(ping.body()).isEqualTo("OK");
		}
		finally {
			DockerCli.engine().docker("rm", "-f", container);
		}
	}

	@Test
	void aRefusedChunkedBodyThatBreaksItsFramingEndsTheConnection() {
		try (Raw.Connection client = new Raw.Connection(port)) {
			Raw.Answer refused = client
				.write(Raw.Connection.request("PUT", "/v1.41/containers/no-such-thing/archive?path=/tmp", auth,
						"Content-Type: application/x-tar", "Transfer-Encoding: chunked") + "10\r\n" + "x".repeat(16) + "\r\n")
				.read(false);
			assertThat(refused.status()).isEqualTo(404);
			// not a chunk size: whatever follows cannot be told apart from a request
			client.write("zz\r\n" + Raw.Connection.request("GET", "/_ping", auth));
			assertThat(client.closedByServer()).isTrue();
		}
	}

	@Test
	void aRefusedBodyBeyondTheDrainLimitEndsTheConnection() {
		long announced = 2 * berth.gateway.admission.RequestBodies.DRAIN_LIMIT;
		try (Raw.Connection client = new Raw.Connection(port)) {
			Raw.Answer refused = client
				.write(Raw.Connection.request("PUT", "/v1.41/containers/no-such-thing/archive?path=/tmp", auth,
						"Content-Type: application/x-tar", "Content-Length: " + announced))
				.read(false);
			assertThat(refused.status()).isEqualTo(404);
			String megabyte = "x".repeat(1 << 20);
			long sent = 0;
			try {
				while (sent < announced) {
					client.write(megabyte);
					sent += megabyte.length();
				}
			}
			catch (java.io.UncheckedIOException closed) {
				// the connection ended under the writes: what the test expects
			}
			assertThat(sent).isLessThan(announced).isGreaterThanOrEqualTo(berth.gateway.admission.RequestBodies.DRAIN_LIMIT);
			assertThat(client.closedByServer()).isTrue();
		}
	}

	@Test
	void pipelinedRequestsAreAnsweredInOrderAcrossTheFastPathAndTheGateway() {
		try (Raw.Connection client = new Raw.Connection(port)) {
			client.write(Raw.Connection.request("GET", "/_ping", auth),
					Raw.Connection.request("GET", "/api/v1/plans", "Authorization: Bearer " + BerthTest.ADMIN_TOKEN),
					Raw.Connection.request("HEAD", "/_ping", auth), Raw.Connection.request("GET", "/v1.41/version", auth),
					Raw.Connection.request("GET", "/api/v1/plans", auth), Raw.Connection.request("GET", "/_ping", auth));
			Raw.Answer ping = client.read(false);
			assertThat(ping.status()).isEqualTo(200);
			assertThat(ping.body()).isEqualTo("OK");
			Raw.Answer plans = client.read(false);
			assertThat(plans.status()).isEqualTo(200);
			assertThat(plans.body()).contains("\"standard\"");
			Raw.Answer head = client.read(true);
			assertThat(head.status()).isEqualTo(200);
			assertThat(head.body()).isEmpty();
			Raw.Answer version = client.read(false);
			assertThat(version.status()).isEqualTo(200);
			assertThat(version.body()).contains("\"ApiVersion\"");
			Raw.Answer notAdmin = client.read(false);
			assertThat(notAdmin.status()).isEqualTo(401);
			assertThat(notAdmin.head()).containsIgnoringCase("application/problem+json");
			Raw.Answer last = client.read(false);
			assertThat(last.status()).isEqualTo(200);
			assertThat(last.body()).isEqualTo("OK");
		}
	}

	@Test
	void anEngineOutageIsA502OnTheSameClientConnectionWhichRecovers() {
		try (Raw.Connection client = new Raw.Connection(port)) {
			assertThat(client.write(Raw.Connection.request("GET", "/v1.41/version", auth)).read(false).status())
				.isEqualTo(200);
			engine.stop();
			try {
				Raw.Answer down = client.write(Raw.Connection.request("GET", "/v1.41/version", auth)).read(false);
				assertThat(down.status()).isEqualTo(502);
				assertThat(down.body()).isEqualTo("{\"message\":\"berth: the Docker engine is not reachable right now\"}\n");
			}
			finally {
				engine.start();
			}
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(
						client.write(Raw.Connection.request("GET", "/v1.41/version", auth)).read(false).status())
					.isEqualTo(200));
		}
	}

	@Test
	void aClientLeavingInTheMiddleOfAStreamClosesItsEngineConnection() {
		// counted by the request the engine connection carries: Berth's own event stream reconnects
		// through the same engine at moments of its own and must not be taken for the client's
		String stream = "GET /v1.41/events";
		try (Raw.Connection client = new Raw.Connection(port)) {
			client.write(Raw.Connection.request("GET", "/v1.41/events", auth));
			Raw.Answer head = client.readHead();
			assertThat(head.status()).isEqualTo(200);
			assertThat(head.head()).containsIgnoringCase("Transfer-Encoding: chunked");
			assertThat(engine.openCarrying(stream)).isEqualTo(1);
		}
		await().atMost(Duration.ofSeconds(5)).until(() -> engine.openCarrying(stream) == 0);
	}

	private static HttpRequest request(String method, String target, String... header) {
		HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), target);
		for (int i = 0; i + 1 < header.length; i += 2) {
			request.headers().add(header[i], header[i + 1]);
		}
		return request;
	}

}
