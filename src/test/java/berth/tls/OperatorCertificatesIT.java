package berth.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.Test;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.pem.PemSslStoreBundle;
import org.springframework.boot.ssl.pem.PemSslStoreDetails;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import berth.testing.Admin;
import berth.testing.BerthTest;
import berth.testing.DockerCli;

/**
 * An operator's own CA and server certificate, given as PEM files: the TLS port presents the
 * operator's certificate, client certificates are signed by the operator's CA and work with the
 * docker CLI, and a server certificate file replaced on disk is what new connections get.
 */
@BerthTest
class OperatorCertificatesIT {

	static final Path DIR = tempDir();

	static final int TLS_PORT = freePort();

	static {
		openssl("req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca-key.pem -out ca.pem -days 30"
				+ " -subj /CN=Operator-CA -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign");
		serverCertificate("server.pem", "server-key.pem");
	}

	@DynamicPropertySource
	static void operatorFiles(DynamicPropertyRegistry registry) {
		registry.add("berth.tls.port", () -> TLS_PORT);
		registry.add("berth.tls.certificate", () -> DIR.resolve("server.pem").toString());
		registry.add("berth.tls.private-key", () -> DIR.resolve("server-key.pem").toString());
		registry.add("berth.tls.public-host", () -> "localhost");
		registry.add("berth.tls.reload-interval", () -> "1s");
		registry.add("berth.pki.ca-certificate", () -> DIR.resolve("ca.pem").toString());
		registry.add("berth.pki.ca-key", () -> DIR.resolve("ca-key.pem").toString());
	}

	@LocalServerPort
	int port;

	@Test
	void theOperatorsCertificatesServeAndReloadWhenTheirFilesChange() throws Exception {
		X509Certificate operatorCa = certificate(Files.readString(DIR.resolve("ca.pem")));
		assertThat(presented().getSerialNumber()).isEqualTo(certificate(Files.readString(DIR.resolve("server.pem"))).getSerialNumber());

		Admin admin = new Admin(port);
		Admin.TenantKey tenant = admin.newTenant("tls-operator");
		try {
			Admin.Response issued = admin.call("POST", "/api/v1/tenants/" + tenant.tenant() + "/certificates?format=json",
					Map.of("description", "operator"));
			assertThat(issued.status()).as("issuing a certificate: %s", issued.body()).isEqualTo(201);
			assertThat(issued.json().get("ca").asString()).isEqualTo(Files.readString(DIR.resolve("ca.pem")));
			certificate(issued.json().get("cert").asString()).verify(operatorCa.getPublicKey());
			Path certPath = Files.createDirectories(DIR.resolve("client"));
			Files.writeString(certPath.resolve("ca.pem"), issued.json().get("ca").asString());
			Files.writeString(certPath.resolve("cert.pem"), issued.json().get("cert").asString());
			Files.writeString(certPath.resolve("key.pem"), issued.json().get("key").asString());
			DockerCli cli = new DockerCli("tcp://localhost:" + TLS_PORT, null).env("DOCKER_TLS_VERIFY", "1")
				.env("DOCKER_CERT_PATH", certPath.toString());
			assertThat(cli.docker("run", "--rm", "busybox", "echo", "operator-ca").assertOk().out()).isEqualTo("operator-ca\n");

			serverCertificate("next.pem", "next-key.pem");
			X509Certificate next = certificate(Files.readString(DIR.resolve("next.pem")));
			Files.move(DIR.resolve("next-key.pem"), DIR.resolve("server-key.pem"), StandardCopyOption.REPLACE_EXISTING);
			Files.move(DIR.resolve("next.pem"), DIR.resolve("server.pem"), StandardCopyOption.REPLACE_EXISTING);
			await().atMost(Duration.ofSeconds(15))
				.pollInterval(Duration.ofMillis(500))
				.untilAsserted(() -> assertThat(presented().getSerialNumber()).isEqualTo(next.getSerialNumber()));
			assertThat(cli.docker("ps", "-q").exitCode()).as("the CLI with the reloaded server certificate").isZero();
		}
		finally {
			admin.call("DELETE", "/api/v1/tenants/" + tenant.tenant(), null);
		}
	}

	/** The server certificate a new TLS connection is shown. */
	private static X509Certificate presented() throws IOException {
		SSLContext context = SslBundle
			.of(new PemSslStoreBundle(null, PemSslStoreDetails.forCertificate(Files.readString(DIR.resolve("ca.pem")))))
			.createSslContext();
		try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", TLS_PORT)) {
			socket.startHandshake();
			return (X509Certificate) socket.getSession().getPeerCertificates()[0];
		}
	}

	private static void serverCertificate(String certificate, String key) {
		openssl("req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + key + " -out server.csr -subj /CN=localhost");
		writeExtensions();
		openssl("x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -set_serial 0x" + Long.toHexString(System.nanoTime())
				+ " -out " + certificate + " -days 30 -extfile server.ext");
	}

	private static void writeExtensions() {
		try {
			Files.writeString(DIR.resolve("server.ext"),
					"subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	private static void openssl(String arguments) {
		new DockerCli("unix:///nowhere", null)
			.exec(null, Duration.ofSeconds(30), "/bin/sh", "-c", "cd '" + DIR + "' && openssl " + arguments)
			.assertOk();
	}

	private static X509Certificate certificate(String pem) throws Exception {
		return (X509Certificate) CertificateFactory.getInstance("X.509")
			.generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
	}

	private static Path tempDir() {
		try {
			Path dir = Files.createTempDirectory("berth-operator-tls");
			dir.toFile().deleteOnExit();
			return dir;
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	private static int freePort() {
		try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

}
