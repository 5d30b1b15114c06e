package berth.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import berth.testing.Admin.TenantKey;
import berth.testing.BerthTest;
import berth.testing.DockerCli;
import berth.testing.DockerCli.Result;

/**
 * Who may use Berth, as the docker CLI and raw clients see it: missing, unknown and revoked keys, the
 * key in the Host name, a Host naming another tenant, and a raw hijacked attach.
 */
@BerthTest
class AuthenticationIT extends CliTestSupport {

	@Test
	void cliWithoutKeyOrWithUnknownKeyPrintsBerthsRefusal() {
		Result noKey = docker(new DockerCli("tcp://127.0.0.1:" + port, null), "ps");
		assertThat(noKey.exitCode()).as("docker ps without a key").isNotZero();
		assertThat(noKey.err()).as("what the CLI prints without a key")
			.contains("Error response from daemon: berth: no API key: send 'Authorization: Bearer <key>'");

		// Twenty fresh keys: a refusal used to hang the CLI now and then (see HijackHandler#write).
		for (int i = 0; i < 20; i++) {
			String unknown = "bk" + randomBase32(42);
			Result badKey = DockerCli.forKey(port, unknown).exec(null, Duration.ofSeconds(20), "docker", "ps");
			assertThat(badKey.exitCode()).as("docker ps with unknown key %s", unknown).isNotZero();
			assertThat(badKey.err()).as("what the CLI prints with an unknown key")
				.contains("berth: this API key is not valid");
		}
	}

	private static String randomBase32(int length) {
		String alphabet = "abcdefghijklmnopqrstuvwxyz234567";
		StringBuilder out = new StringBuilder();
		java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
		for (int i = 0; i < length; i++) {
			out.append(alphabet.charAt(random.nextInt(alphabet.length())));
		}
		return out.toString();
	}

	@Test
	void revokedKeyStopsWorkingWithinFiveSeconds() {
		TenantKey second = admin.newKey(tenant.tenant());
		DockerCli withSecond = DockerCli.forKey(port, second.key());
		assertSucceeded(docker(withSecond, "ps", "-q"), "docker ps with a fresh second key");

		var revoked = admin.call("DELETE", "/api/v1/tenants/" + tenant.tenant() + "/keys/" + second.keyId(), null);
		assertThat(revoked.status()).as("revoking the key: %s", revoked.body()).isEqualTo(204);
		long start = System.nanoTime();
		Result refused;
		do {
			refused = docker(withSecond, "ps", "-q");
		}
		while (refused.exitCode() == 0 && System.nanoTime() - start < Duration.ofSeconds(5).toNanos());
		Duration took = Duration.ofNanos(System.nanoTime() - start);
		assertThat(refused.exitCode()).as("docker ps with the revoked key, %s after revoking", took).isNotZero();
		assertThat(took).as("time until the revoked key stopped working").isLessThan(Duration.ofSeconds(5));
		assertThat(refused.err()).as("what the CLI prints with a revoked key")
			.contains("berth: this API key has been revoked");

		assertSucceeded(docker("ps", "-q"), "docker ps with the tenant's other key");
	}

	@Test
	void keyInHostNameAndHostNamingATenant() {
		String host = ":" + port;
		try (RawHttp http = new RawHttp(port)) {
			RawHttp.Head head = http.send("GET", "/_ping", "Host: " + tenant.key() + ".berth.localhost" + host).readHead();
			assertThat(head.status()).as("GET /_ping with the key as the first label of Host: %s", head).isEqualTo(200);
			assertThat(head.header("Api-Version")).as("the engine's negotiation header")
				.isEqualTo(engine.docker("version", "--format", "{{.Server.APIVersion}}").trimmed());
			assertThat(http.readBody(Integer.parseInt(head.header("Content-Length")))).isEqualTo("OK");
		}
		try (RawHttp http = new RawHttp(port)) {
			RawHttp.Head head = http
				.send("GET", "/_ping", "Host: " + tenant.tenant() + ".berth.localhost" + host,
						"Authorization: Bearer " + tenant.key())
				.readHead();
			assertThat(head.status()).as("Host naming the key's own tenant: %s", head).isEqualTo(200);
		}
		try (RawHttp http = new RawHttp(port)) {
			RawHttp.Head head = http
				.send("GET", "/_ping", "Host: acme.berth.localhost" + host, "Authorization: Bearer " + tenant.key())
				.readHead();
			assertThat(head.status()).as("Host naming another tenant: %s", head).isEqualTo(403);
			assertThat(http.readBody(Integer.parseInt(head.header("Content-Length"))))
				.contains("\"message\":\"berth: this API key does not belong to tenant 'acme'\"");
		}
		try (RawHttp http = new RawHttp(port)) {
			RawHttp.Head head = http.send("GET", "/_ping", "Host: " + tenant.tenant() + ".berth.localhost" + host)
				.readHead();
			assertThat(head.status()).as("Host naming a tenant, but no key at all: %s", head).isEqualTo(401);
		}
	}

	@Test
	void rawAttachIsUpgradedWithTheEnginesHeadAndCarriesOutput() {
		String api = "/v" + engine.docker("version", "--format", "{{.Server.APIVersion}}").trimmed();
		String token = UUID.randomUUID().toString();
		String container = name("attach");
		String id = ok("create", "--name", container, "busybox", "sh", "-c", "sleep 1; echo " + token).trimmed();
		String attach = api + "/containers/" + id + "/attach?stream=1&stdout=1&stderr=1";

		try (RawHttp anonymous = new RawHttp(port)) {
			RawHttp.Head head = anonymous
				.send("POST", attach, "Host: 127.0.0.1", "Connection: Upgrade", "Upgrade: tcp", "Content-Length: 0")
				.readHead();
			assertThat(head.status()).as("attach without a key: %s", head).isEqualTo(401);
			assertThat(anonymous.readToEnd()).contains("berth: no API key");
		}

		RawHttp.Head direct;
		try (RawHttp onEngine = new RawHttp(Path.of("/var/run/docker.sock"))) {
			direct = onEngine.send("POST", attach, "Host: docker", "Connection: Upgrade", "Upgrade: tcp",
					"Content-Length: 0").readHead();
		}
		assertThat(direct.status()).as("the same attach on the engine's socket: %s", direct).isEqualTo(101);

		try (RawHttp http = new RawHttp(port)) {
			RawHttp.Head head = http
				.send("POST", attach, "Host: 127.0.0.1", "Authorization: Bearer " + tenant.key(), "Connection: Upgrade",
						"Upgrade: tcp", "Content-Length: 0")
				.readHead();
			assertThat(head.statusLine()).as("status line of the hijacked attach").isEqualTo("HTTP/1.1 101 UPGRADED");
			assertThat(head.header("Upgrade")).isEqualTo("tcp");
			assertThat(head.header("Connection")).isEqualTo("Upgrade");
			assertThat(head.header("Content-Type")).as("the engine's stream type").startsWith("application/vnd.docker.");
			assertThat(head.headers()).as("the 101 head through Berth vs. the engine's own").isEqualTo(direct.headers());

			ok("start", container);
			assertThat(http.readToEnd()).as("the container's output on the upgraded connection").contains(token);
		}
		ok("rm", container);
	}

}
