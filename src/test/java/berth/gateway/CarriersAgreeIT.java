package berth.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import berth.gateway.fastpath.FastPathSupport;
import berth.testing.Admin;
import berth.testing.BerthTest;
import berth.testing.DockerCli;
import berth.testing.Raw;

/**
 * One set of requests through every carrier that can take it: the fast path and the gateway for
 * ordinary calls (an {@code Upgrade} header sends a call that does not upgrade to the gateway), the
 * hijack handler and the fast path or gateway for attach and exec start. Each request must be decided
 * the same way whatever carries it: the same status, and for a refusal the same message. The test
 * first makes sure each variant really is carried by the carrier it names.
 */
@BerthTest
class CarriersAgreeIT {

	private static final Pattern MESSAGE = Pattern.compile("\"message\":\"((?:[^\"\\\\]|\\\\.)*)\"");

	@LocalServerPort
	int port;

	@Autowired
	FastPathSupport fastPath;

	Admin.TenantKey tenant;

	Admin.TenantKey other;

	String auth;

	/** The engine's ID of a container the other tenant owns. */
	String theirs;

	@BeforeEach
	void setUp() {
		Admin admin = new Admin(port);
		tenant = admin.newTenant("agree");
		other = admin.newTenant("other");
		auth = "Authorization: Bearer " + tenant.key();
		DockerCli.forKey(port, tenant.key()).docker("create", "--name", "mine", "busybox", "sleep", "30").assertOk();
		theirs = DockerCli.forKey(port, other.key())
			.docker("create", "--name", "theirs", "busybox", "sleep", "30")
			.assertOk()
			.trimmed();
	}

	@AfterEach
	void tearDown() {
		DockerCli.engine().removeOwnedBy(tenant.tenant());
		DockerCli.engine().removeOwnedBy(other.tenant());
	}

	/** One request: method, target, body (empty for none), headers besides the key. */
	record Fixture(String method, String target, String body, String... headers) {

		Fixture(String method, String target) {
			this(method, target, "");
		}

		@Override
		public String toString() {
			return method + " " + target + (body.isEmpty() ? "" : " " + body);
		}

	}

	/** How one carrier decided: the status and, for a refusal, the message. */
	record Decided(int status, String message) {
	}

	List<Fixture> ordinary() {
		return List.of(new Fixture("GET", "/_ping"), new Fixture("GET", "/v1.41/version"),
				new Fixture("GET", "/v1.41/containers/json?all=1"), new Fixture("GET", "/v1.41/containers/mine/json"),
				new Fixture("GET", "/v1.41/containers/theirs/json"), new Fixture("GET", "/v1.41/containers/" + theirs + "/json"),
				new Fixture("GET", "/v1.41/containers/" + theirs.substring(0, 12) + "/top"),
				new Fixture("POST", "/v1.41/containers/theirs/kill"), new Fixture("DELETE", "/v1.41/containers/theirs"),
				new Fixture("GET", "/v1.41/containers/nosuch/logs?stdout=1"), new Fixture("GET", "/v1.41/swarm"),
				new Fixture("GET", "/v1.41/plugins"), new Fixture("POST", "/v1.41/swarm/init"),
				new Fixture("GET", "/v1.41/containers/mine/attach/ws"),
				new Fixture("GET", "/v1.41/containers/json?all=1&all=0"),
				new Fixture("GET", "/v1.41/containers/json?filters=%7B"), new Fixture("GET", "/v9.99/containers/json"),
				new Fixture("GET", "/v1.41/containers/mine/logs?stdout=1;x=1"),
				new Fixture("POST", "/v1.41/containers/mine/start", "{\"x\":1}", "Content-Type: application/json"),
				new Fixture("POST", "/v1.41/containers/mine/stop", "t=1", "Content-Type: application/x-www-form-urlencoded"),
				new Fixture("PUT", "/v1.41/containers/theirs/archive?path=/tmp", "not a tar"),
				new Fixture("GET", "/v1.41/networks/nosuch"), new Fixture("GET", "/v1.41/volumes/nosuch"),
				new Fixture("GET", "/v1.41/exec/nosuch/json"), new Fixture("GET", "/v1.41/whatever"));
	}

	@Test
	void theFastPathAndTheGatewayDecideEveryRequestAlike() {
		List<String> disagreements = new ArrayList<>();
		for (Fixture fixture : ordinary()) {
			boolean malformed = fixture.target().startsWith("/v9");
			assertThat(fastPath.carries(head(fixture, false))).as("the fast path carries " + fixture)
				.isEqualTo(!malformed && (fixture.body().isEmpty() || fixture.method().equals("PUT")));
			assertThat(fastPath.carries(head(fixture, true))).as("the gateway carries " + fixture + " with Upgrade").isFalse();
			Decided fast = send(fixture, false);
			Decided gateway = send(fixture, true);
			if (!fast.equals(gateway)) {
				disagreements.add(fixture + ": fast path " + fast + ", gateway " + gateway);
			}
		}
		assertThat(disagreements).isEmpty();
	}

	@Test
	void theHijackHandlerDecidesUpgradesAsTheOtherCarriersDo() {
		List<Fixture> upgrades = List.of(
				new Fixture("POST", "/v1.41/containers/theirs/attach?stream=1&stdout=1"),
				new Fixture("POST", "/v1.41/containers/" + theirs + "/attach?stream=1&stdout=1"),
				new Fixture("POST", "/v1.41/containers/nosuch/attach?stream=1"),
				new Fixture("POST", "/v1.41/containers/mine/attach?stream=1&stream=0"),
				new Fixture("POST", "/v1.41/containers/mine/attach?stream=1", "{\"x\":1}", "Content-Type: application/json"),
				// an empty JSON body where none is taken passes on every carrier (the hijack once refused it)
				new Fixture("POST", "/v1.41/containers/nosuch/attach?stream=1&stdout=1", "{}", "Content-Type: application/json"),
				new Fixture("POST", "/v1.41/exec/nosuch/start", "{\"Detach\":false}", "Content-Type: application/json"),
				new Fixture("POST", "/v1.41/exec/nosuch/start", "{\"Detach\":false,\"Bogus\":1}",
						"Content-Type: application/json"),
				new Fixture("POST", "/v1.41/exec/nosuch/start", "not json", "Content-Type: application/json"));
		List<String> disagreements = new ArrayList<>();
		for (Fixture fixture : upgrades) {
			Decided hijacked = send(fixture, true);
			Decided ordinary = send(fixture, false);
			if (!hijacked.equals(ordinary)) {
				disagreements.add(fixture + ": hijack " + hijacked + ", " + (fixture.body().isEmpty() ? "fast path" : "gateway")
						+ " " + ordinary);
			}
			assertThat(hijacked.status()).as(fixture + " is refused").isGreaterThanOrEqualTo(400);
		}
		assertThat(disagreements).isEmpty();
	}

	private Decided send(Fixture fixture, boolean upgrade) {
		List<String> headers = new ArrayList<>(List.of(fixture.headers()));
		headers.add(auth);
		if (upgrade) {
			headers.add("Connection: Upgrade");
			headers.add("Upgrade: tcp");
		}
		Raw.Answer answer = Raw.send(port, fixture.method(), fixture.target(),
				fixture.body().getBytes(StandardCharsets.UTF_8), false, headers.toArray(String[]::new));
		if (answer.status() < 400) {
			return new Decided(answer.status(), "");
		}
		Matcher message = MESSAGE.matcher(answer.body());
		return new Decided(answer.status(), message.find() ? message.group(1) : answer.body());
	}

	private HttpRequest head(Fixture fixture, boolean upgrade) {
		HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(fixture.method()),
				fixture.target());
		if (!fixture.body().isEmpty()) {
			request.headers().add("Content-Length", fixture.body().length());
		}
		if (upgrade) {
			request.headers().add("Upgrade", "tcp");
		}
		return request;
	}

}
