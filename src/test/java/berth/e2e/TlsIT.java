package berth.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import berth.testing.Admin;
import berth.testing.Admin.TenantKey;
import berth.testing.BerthTest;
import berth.testing.DockerCli;
import berth.testing.DockerCli.Result;
import berth.testing.TlsClient;

/**
 * Docker's own TLS on Berth's TLS port: the real docker CLI, docker-compose 1.29 and Debian's
 * docker-py with a tenant's client certificate, as a user sets them up (the downloaded bundle with
 * DOCKER_TLS_VERIFY and DOCKER_CERT_PATH, or {@code docker context import} of the downloaded file);
 * hijacked attach and exec with half-close; the key over TLS; and the refusals: a revoked, expired,
 * foreign or mismatched certificate, each tried through Berth and then checked on the engine.
 */
@BerthTest
class TlsIT extends CliTestSupport {

	/** Chosen before the context starts, as the TLS port cannot be "any" (0 turns it off). */
	static final int TLS_PORT = freePort();

	@DynamicPropertySource
	static void tlsPort(DynamicPropertyRegistry registry) {
		registry.add("berth.tls.port", () -> TLS_PORT);
		// docker clients send no SNI for an IP address: the one certificate names both
		registry.add("berth.tls.server-names", () -> "localhost,127.0.0.1");
		registry.add("berth.tls.public-host", () -> "localhost");
	}

	@Autowired
	MeterRegistry meters;

	@Autowired
	JdbcClient jdbc;

	/** The tenant's zip bundle, unpacked. */
	Path bundle;

	/** The docker CLI with only the bundle: DOCKER_TLS_VERIFY and DOCKER_CERT_PATH, no key. */
	DockerCli tls;

	@BeforeAll
	void downloadBundle() {
		Admin.Download zip = admin.download(certificates(tenant.tenant()) + "?format=zip", Map.of("description", "laptop"));
		assertThat(zip.status()).as("issuing a certificate: %s", new String(zip.body(), StandardCharsets.UTF_8)).isEqualTo(201);
		assertThat(zip.contentType()).isEqualTo("application/zip");
		bundle = unzip(zip.body(), tempDir());
		tls = certificateCli(bundle);
	}

	@Test
	void theBundleHoldsWhatDockerClientsReadAndTheListShowsNoKey() throws Exception {
		try (var files = Files.list(bundle)) {
			assertThat(files.map(file -> file.getFileName().toString()))
				.containsExactlyInAnyOrder("ca.pem", "cert.pem", "key.pem", "env.sh", "env.ps1", "README.txt");
		}
		assertThat(Files.readString(bundle.resolve("key.pem"))).startsWith("-----BEGIN PRIVATE KEY-----");
		X509Certificate certificate = certificate(Files.readString(bundle.resolve("cert.pem")));
		X509Certificate ca = certificate(Files.readString(bundle.resolve("ca.pem")));
		assertThat(certificate.getSubjectX500Principal().getName()).contains("CN=" + tenant.tenant());
		assertThat(certificate.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
		assertThat(certificate.getPublicKey()).isInstanceOf(ECPublicKey.class);
		assertThat(((ECPublicKey) certificate.getPublicKey()).getParams().getCurve().getField().getFieldSize()).isEqualTo(256);
		certificate.verify(ca.getPublicKey());
		assertThat(Files.readString(bundle.resolve("env.sh"))).contains("export DOCKER_HOST=tcp://localhost:" + TLS_PORT)
			.contains("export DOCKER_TLS_VERIFY=1");
		assertThat(Files.readString(bundle.resolve("env.ps1"))).contains("$env:DOCKER_CERT_PATH=$PSScriptRoot");

		assertSucceeded(docker(tls, "ps"), "docker ps with the bundle");
		Admin.Response list = admin.call("GET", certificates(tenant.tenant()), null);
		assertThat(list.status()).isEqualTo(200);
		assertThat(list.body()).doesNotContain("PRIVATE KEY").doesNotContain("BEGIN CERTIFICATE");
		assertThat(list.json().get(0).get("serial").asString()).isEqualTo(certificate.getSerialNumber().toString(16));
		assertThat(list.json().get(0).get("description").asString()).isEqualTo("laptop");
	}

	@Test
	void runWithStdinHalfClosesOverTls() {
		Result cat = tls.exec("hi\n".getBytes(StandardCharsets.UTF_8), COMMAND_TIMEOUT, "docker", "run", "-i", "--rm",
				"busybox", "sh", "-c", "cat; echo after-eof");
		assertSucceeded(cat, "echo hi | docker run -i --rm busybox cat, over TLS");
		assertThat(cat.out()).isEqualTo("hi\nafter-eof\n");

		// env.sh as a user sources it, from another directory
		Result sourced = tls.exec(null, COMMAND_TIMEOUT, "/bin/bash", "-c",
				"cd / && . " + bundle.resolve("env.sh") + " && docker run --rm busybox echo from-env-sh");
		assertSucceeded(sourced, "docker run after sourcing env.sh");
		assertThat(sourced.out()).isEqualTo("from-env-sh\n");
	}

	@Test
	void execCpLogsAndBuildOverTls() throws IOException {
		String container = name("box");
		assertSucceeded(docker(tls, "run", "-d", "--name", container, "busybox", "sh", "-c", "echo started; sleep 300"),
				"docker run -d over TLS");

		Result tty = tls.withTty("docker exec -it " + container + " sh -c 'tty; echo exec-tty-ok'");
		assertThat(tty.exitCode()).as("docker exec -it over TLS: %s %s", tty.out(), tty.err()).isZero();
		assertThat(tty.out()).contains("/dev/pts/").contains("exec-tty-ok");

		Path dir = tempDir();
		byte[] payload = new byte[3 * 1024 * 1024];
		new java.util.Random(13).nextBytes(payload);
		Files.write(dir.resolve("in.bin"), payload);
		assertSucceeded(docker(tls, "cp", dir.resolve("in.bin").toString(), container + ":/tmp/in.bin"), "docker cp in over TLS");
		assertThat(hashOf(docker(tls, "exec", container, "sha256sum", "/tmp/in.bin").out())).isEqualTo(sha256(payload));
		assertSucceeded(docker(tls, "cp", container + ":/tmp/in.bin", dir.resolve("out.bin").toString()), "docker cp out over TLS");
		assertThat(sha256(dir.resolve("out.bin"))).isEqualTo(sha256(payload));

		String logger = name("logger");
		assertSucceeded(docker(tls, "run", "-d", "--name", logger, "busybox", "sh", "-c", "echo one; sleep 2; echo two"),
				"docker run -d of a logger");
		Result logs = docker(tls, "logs", "-f", logger);
		assertSucceeded(logs, "docker logs -f over TLS");
		assertThat(logs.out()).isEqualTo("one\ntwo\n");

		Path context = tempDir();
		Files.writeString(context.resolve("Dockerfile"), "FROM busybox\nRUN echo built-over-tls > /built\n");
		String image = image(name("built"));
		assertSucceeded(docker(tls, "build", "-q", "-t", image, context.toString()), "docker build over TLS");
		assertThat(docker(tls, "run", "--rm", image, "cat", "/built").out()).isEqualTo("built-over-tls\n");
	}

	@Test
	void theDownloadedContextImportsAsItIsAndRuns() throws IOException {
		Admin.Download download = admin.download(certificates(tenant.tenant()) + "?format=docker-context",
				Map.of("description", "context"));
		assertThat(download.status()).isEqualTo(201);
		Map<String, String> entries = entries(download.body());
		assertThat(entries.keySet()).containsExactlyInAnyOrder("meta.json", "tls/docker/ca.pem", "tls/docker/cert.pem",
				"tls/docker/key.pem");
		assertThat(entries.get("meta.json")).contains("\"Host\":\"tcp://localhost:" + TLS_PORT + "\"");
		Path file = tempDir().resolve(tenant.tenant() + ".dockercontext.zip");
		Files.write(file, download.body());

		DockerCli plain = new DockerCli("tcp://127.0.0.1:1", null);
		String context = prefix;
		assertSucceeded(docker(plain, "context", "import", context, file.toString()), "docker context import");
		Result run = docker(plain, "--context", context, "run", "--rm", "busybox", "echo", "via-context");
		assertSucceeded(run, "docker --context run");
		assertThat(run.out()).isEqualTo("via-context\n");
	}

	@Test
	void aKeyStillWorksOverTlsAndNeitherKeyNorCertificateIs401() throws IOException {
		Path caOnly = tempDir();
		Files.copy(bundle.resolve("ca.pem"), caOnly.resolve("ca.pem"));
		DockerCli withKey = new DockerCli("tcp://localhost:" + TLS_PORT, tenant.key());
		withKey.env("DOCKER_TLS_VERIFY", "1").env("DOCKER_CERT_PATH", caOnly.toString());
		Result run = docker(withKey, "run", "--rm", "busybox", "echo", "key-over-tls");
		assertSucceeded(run, "docker run with the key over TLS");
		assertThat(run.out()).isEqualTo("key-over-tls\n");

		DockerCli anonymous = certificateCli(caOnly);
		String container = name("anonymous");
		Result refused = docker(anonymous, "run", "--name", container, "busybox", "true");
		assertThat(refused.exitCode()).isNotZero();
		assertThat(refused.err()).contains("berth: no API key");
		assertThat(existsOnEngine(onEngine(container))).isFalse();
	}

	@Test
	void aRevokedCertificateStopsWorkingWithinFiveSeconds() throws IOException {
		JsonNode issued = issueJson(tenant.tenant(), Map.of("description", "to revoke"));
		DockerCli client = certificateCli(writeCertPath(issued));
		assertSucceeded(docker(client, "ps"), "docker ps with a fresh certificate");

		Admin.Response revoked = admin.call("DELETE",
				certificates(tenant.tenant()) + "/" + issued.get("id").asString(), null);
		assertThat(revoked.status()).isEqualTo(204);
		long start = System.nanoTime();
		Result refused;
		do {
			refused = docker(client, "ps");
		}
		while (refused.exitCode() == 0 && System.nanoTime() - start < Duration.ofSeconds(10).toNanos());
		long elapsed = Duration.ofNanos(System.nanoTime() - start).toMillis();
		assertThat(refused.exitCode()).as("docker ps after revocation").isNotZero();
		assertThat(refused.err()).contains("berth: this client certificate has been revoked");
		assertThat(elapsed).as("milliseconds until the revoked certificate was refused").isLessThan(5000);

		String container = name("revoked");
		assertThat(docker(client, "run", "--name", container, "busybox", "true").exitCode()).isNotZero();
		assertThat(existsOnEngine(onEngine(container))).isFalse();
		assertThat(admin.call("GET", certificates(tenant.tenant()), null).body()).contains("\"revokedAt\":\"");
		assertThat(admin.call("DELETE", certificates(tenant.tenant()) + "/" + issued.get("id").asString(), null).status())
			.as("revoking it again").isEqualTo(404);
	}

	/**
	 * Another replica's revocation reaches this one through the database alone (no event here): the
	 * cached record expires within {@code berth.auth.cache-ttl}.
	 */
	@Test
	void aCertificateRevokedByAnotherReplicaStopsWorkingHereWithinFiveSeconds() throws IOException {
		JsonNode issued = issueJson(tenant.tenant(), Map.of("description", "other replica"));
		DockerCli client = certificateCli(writeCertPath(issued));
		assertSucceeded(docker(client, "ps"), "docker ps with a fresh certificate");

		assertThat(jdbc.sql("update client_certificate set revoked_at = now() where id = ?")
			.param(issued.get("id").asString())
			.update()).isEqualTo(1);
		long start = System.nanoTime();
		Result refused;
		do {
			refused = docker(client, "ps");
		}
		while (refused.exitCode() == 0 && System.nanoTime() - start < Duration.ofSeconds(10).toNanos());
		assertThat(refused.err()).contains("berth: this client certificate has been revoked");
		assertThat(Duration.ofNanos(System.nanoTime() - start).toMillis()).isLessThan(5000);
	}

	@Test
	void theCertificateNamesTheTenantAndNoOtherHostOrKeyMayDisagree() throws IOException {
		JsonNode issued = issueJson(tenant.tenant(), Map.of("description", "raw"));
		TenantKey other = admin.newTenant("tls-other");
		try {
			TlsClient client = new TlsClient(TLS_PORT, issued.get("ca").asString(), issued.get("cert").asString(),
					issued.get("key").asString());
			double before = authentications("certificate");
			assertThat(client.get("/_ping", "127.0.0.1:" + TLS_PORT).status()).isEqualTo(200);
			assertThat(client.get("/_ping", tenant.tenant() + ".berth.localhost").status()).isEqualTo(200);
			assertThat(authentications("certificate")).isGreaterThanOrEqualTo(before + 2);

			TlsClient.Answer wrongHost = client.get("/v1.41/containers/json", other.tenant() + ".berth.localhost");
			assertThat(wrongHost.status()).isEqualTo(403);
			assertThat(wrongHost.body()).isEqualTo("{\"message\":\"berth: this client certificate does not belong to tenant '"
					+ other.tenant() + "'\"}\n");

			TlsClient.Answer mixed = client.get("/v1.41/containers/json", "127.0.0.1", "Authorization: Bearer " + other.key());
			assertThat(mixed.status()).isEqualTo(403);
			assertThat(mixed.body()).contains("berth: the API key and the client certificate belong to different tenants");
			assertThat(client.get("/_ping", "127.0.0.1", "Authorization: Bearer " + tenant.key()).status())
				.as("certificate and key of the same tenant").isEqualTo(200);

			TlsClient anonymous = new TlsClient(TLS_PORT, issued.get("ca").asString(), null, null);
			TlsClient.Answer none = anonymous.get("/_ping", "127.0.0.1");
			assertThat(none.status()).isEqualTo(401);
			assertThat(none.body()).startsWith("{\"message\":\"berth: no API key");
			double byHeader = authentications("key-header");
			double byHost = authentications("key-in-host");
			assertThat(anonymous.get("/_ping", "127.0.0.1", "Authorization: Bearer " + other.key()).status())
				.as("a key alone over TLS").isEqualTo(200);
			assertThat(anonymous.get("/_ping", other.key() + ".berth.localhost").status()).as("the key in the Host over TLS")
				.isEqualTo(200);
			assertThat(authentications("key-header")).isEqualTo(byHeader + 1);
			assertThat(authentications("key-in-host")).isEqualTo(byHost + 1);
		}
		finally {
			admin.call("DELETE", "/api/v1/tenants/" + other.tenant(), null);
		}
	}

	@Test
	void aCertificateFromAnotherCaIsRefused() throws IOException {
		Path foreign = tempDir();
		openssl(foreign, "req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout other-ca-key.pem"
				+ " -out other-ca.pem -days 2 -subj /CN=Other-CA -addext basicConstraints=critical,CA:TRUE"
				+ " -addext keyUsage=critical,keyCertSign");
		openssl(foreign, "req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout key.pem -out req.csr -subj /CN="
				+ tenant.tenant());
		Files.writeString(foreign.resolve("ext"), "extendedKeyUsage=clientAuth\n");
		openssl(foreign, "x509 -req -in req.csr -CA other-ca.pem -CAkey other-ca-key.pem -CAcreateserial -out cert.pem"
				+ " -days 2 -extfile ext");
		Files.copy(bundle.resolve("ca.pem"), foreign.resolve("ca.pem"));

		// curl presents the certificate whatever CAs the server names: the handshake refuses it
		Result curl = tls.exec(null, COMMAND_TIMEOUT, "curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--cacert",
				foreign.resolve("ca.pem").toString(), "--cert", foreign.resolve("cert.pem").toString(), "--key",
				foreign.resolve("key.pem").toString(), "https://localhost:" + TLS_PORT + "/_ping");
		assertThat(curl.exitCode()).as("curl with a foreign certificate: %s %s", curl.out(), curl.err()).isNotZero();
		assertThat(curl.out()).isEqualTo("000");

		// the docker CLI does not offer a certificate the server's CA list does not name: no credential, 401
		String container = name("foreign");
		Result run = docker(certificateCli(foreign), "run", "--name", container, "busybox", "true");
		assertThat(run.exitCode()).isNotZero();
		assertThat(run.err()).contains("berth: no API key");
		assertThat(existsOnEngine(onEngine(container))).as("a container made with a foreign certificate").isFalse();
	}

	@Test
	void anExpiredCertificateIsRefused() throws Exception {
		JsonNode issued = issueJson(tenant.tenant(),
				Map.of("description", "short", "expiresAt", Instant.now().plusSeconds(3).toString()));
		Path certPath = writeCertPath(issued);
		Thread.sleep(Duration.between(Instant.now(), Instant.parse(issued.get("notAfter").asString())).toMillis() + 1500);
		String container = name("expired");
		Result run = docker(certificateCli(certPath), "run", "--name", container, "busybox", "true");
		assertThat(run.exitCode()).as("docker run with an expired certificate").isNotZero();
		assertThat(run.err()).as("refused at the handshake").contains("remote error: tls");
		assertThat(existsOnEngine(onEngine(container))).isFalse();
	}

	@Test
	void tls13And12AreSpokenAndOlderVersionsAreNot() {
		for (String version : List.of("1.3", "1.2")) {
			Result ping = curl("--tlsv" + version, "--tls-max", version);
			assertThat(ping.out()).as("/_ping with a certificate over TLS %s: %s", version, ping.err()).isEqualTo("200");
		}
		Result old = curl("--tlsv1.1", "--tls-max", "1.1");
		assertThat(old.exitCode()).as("TLS 1.1").isNotZero();
		assertThat(old.out()).isEqualTo("000");
	}

	private Result curl(String... versionOptions) {
		List<String> command = new ArrayList<>(List.of("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}"));
		command.addAll(List.of(versionOptions));
		command.addAll(List.of("--cacert", bundle.resolve("ca.pem").toString(), "--cert", bundle.resolve("cert.pem").toString(),
				"--key", bundle.resolve("key.pem").toString(), "https://localhost:" + TLS_PORT + "/_ping"));
		return tls.exec(null, COMMAND_TIMEOUT, command.toArray(String[]::new));
	}

	@Test
	void aCsrIsSignedAndNoKeyComesBack() throws IOException {
		Path own = tempDir();
		openssl(own, "req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout key.pem -out req.csr -subj /CN=laptop");
		JsonNode issued = issueJson(tenant.tenant(),
				Map.of("description", "csr", "csr", Files.readString(own.resolve("req.csr"))));
		assertThat(issued.get("key").isNull()).as("the key of a signed CSR").isTrue();
		Files.writeString(own.resolve("cert.pem"), issued.get("cert").asString());
		Files.writeString(own.resolve("ca.pem"), issued.get("ca").asString());
		assertThat(certificate(issued.get("cert").asString()).getSubjectX500Principal().getName())
			.contains("CN=" + tenant.tenant());
		Result run = docker(certificateCli(own), "run", "--rm", "busybox", "echo", "csr-signed");
		assertSucceeded(run, "docker run with a CSR-signed certificate");
		assertThat(run.out()).isEqualTo("csr-signed\n");

		Admin.Response broken = admin.call("POST", certificates(tenant.tenant()) + "?format=json",
				Map.of("csr", "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n"));
		assertThat(broken.status()).isEqualTo(400);
		assertThat(broken.contentType()).startsWith("application/problem+json");
		Admin.Response format = admin.call("POST", certificates(tenant.tenant()) + "?format=pfx", Map.of());
		assertThat(format.status()).isEqualTo(400);
		assertThat(format.contentType()).startsWith("application/problem+json");
		assertThat(admin.call("POST", certificates("no-such-tenant-13"), Map.of()).status()).isEqualTo(404);
	}

	@Test
	void dockerPyAttachesAndExecsThroughItsRawSocketsOverTls() {
		String container = name("py");
		String script = """
				import docker
				client = docker.from_env()
				box = client.containers.create('busybox', ['sh', '-c', 'cat; echo stdin-closed'], name='%s', stdin_open=True)
				sock = client.api.attach_socket(box.id, params={'stdin': 1, 'stdout': 1, 'stream': 1})
				raw = getattr(sock, '_sock', sock)
				box.start()
				raw.sendall(b'via-attach\\n')
				data = b''
				while b'via-attach' not in data:
				    chunk = raw.recv(4096)
				    if not chunk:
				        break
				    data += chunk
				print('attach:', b'via-attach' in data)
				print('exec:', box.exec_run(['echo', 'py-exec']).output.decode().strip())
				box.remove(force=True)
				""".formatted(container);
		Result py = tls.exec(null, COMMAND_TIMEOUT, "/usr/bin/python3", "-c", script);
		assertSucceeded(py, "docker-py over TLS");
		assertThat(py.out()).isEqualTo("attach: True\nexec: py-exec\n");
	}

	@Test
	void composeRunsOverTls() throws IOException {
		Path dir = tempDir();
		Files.writeString(dir.resolve("docker-compose.yml"), """
				version: "3.8"
				services:
				  app:
				    image: busybox
				    command: ["sh", "-c", "echo compose-over-tls; sleep 300"]
				""");
		String project = prefix + "c";
		assertSucceeded(tls.compose(dir, "-p", project, "up", "-d"), "docker-compose up -d over TLS");
		assertThat(inspectOnEngine("{{.State.Status}}", onEngine(project + "_app_1"))).isEqualTo("running");
		Result logs = tls.compose(dir, "-p", project, "logs", "--no-color");
		assertSucceeded(logs, "docker-compose logs over TLS");
		assertThat(logs.out()).contains("compose-over-tls");
		assertSucceeded(tls.compose(dir, "-p", project, "down", "-t", "1"), "docker-compose down over TLS");
		assertThat(existsOnEngine(onEngine(project + "_app_1"))).isFalse();
	}

	private double authentications(String method) {
		return meters.get("berth.authentications").tag("method", method).counter().count();
	}

	private static String certificates(String tenant) {
		return "/api/v1/tenants/" + tenant + "/certificates";
	}

	private JsonNode issueJson(String tenantName, Map<String, String> request) {
		Admin.Response issued = admin.call("POST", certificates(tenantName) + "?format=json", request);
		assertThat(issued.status()).as("issuing a certificate: %s", issued.body()).isEqualTo(201);
		return issued.json();
	}

	private Path writeCertPath(JsonNode issued) throws IOException {
		Path dir = tempDir();
		Files.writeString(dir.resolve("ca.pem"), issued.get("ca").asString());
		Files.writeString(dir.resolve("cert.pem"), issued.get("cert").asString());
		Files.writeString(dir.resolve("key.pem"), issued.get("key").asString());
		return dir;
	}

	/** The docker CLI as the bundle's env.sh sets it up, with no key. */
	private static DockerCli certificateCli(Path certPath) {
		DockerCli client = new DockerCli("tcp://localhost:" + TLS_PORT, null);
		client.env("DOCKER_TLS_VERIFY", "1").env("DOCKER_CERT_PATH", certPath.toString()).env("DOCKER_BUILDKIT", "0");
		return client;
	}

	private void openssl(Path dir, String arguments) {
		List<String> command = new ArrayList<>(List.of("openssl"));
		command.addAll(List.of(arguments.split(" ")));
		DockerCli shell = new DockerCli("unix:///nowhere", null);
		Result result = shell.exec(null, COMMAND_TIMEOUT, "/bin/sh", "-c",
				"cd '" + dir + "' && " + String.join(" ", command));
		assertSucceeded(result, String.join(" ", command));
	}

	private static X509Certificate certificate(String pem) {
		try {
			return (X509Certificate) CertificateFactory.getInstance("X.509")
				.generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
		}
		catch (java.security.cert.CertificateException e) {
			throw new AssertionError(e);
		}
	}

	private static Map<String, String> entries(byte[] zip) {
		Map<String, String> entries = new LinkedHashMap<>();
		try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
			for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
				entries.put(entry.getName(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
			}
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		return entries;
	}

	private static Path unzip(byte[] zip, Path into) {
		entries(zip).forEach((name, content) -> {
			try {
				Files.writeString(into.resolve(name), content);
			}
			catch (IOException e) {
				throw new UncheckedIOException(e);
			}
		});
		return into;
	}

}
