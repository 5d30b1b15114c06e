package berth.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A simulated VM's machine: a namespace with a dockerd that answers only clients of the client CA. */
class VmMachinesTest {

	@TempDir
	Path dir;

	@Test
	void aMachineBootsAnEngineThatWantsAClientCertificateAndIsRemovedWhenHalted() {
		TestPki engineCa = new TestPki(dir.resolve("pki"), "engine-ca");
		TestPki clientCa = new TestPki(dir.resolve("pki"), "client-ca");
		TestPki.Issued client = clientCa.client("berth");
		try (VmMachines machines = new VmMachines(dir.resolve("machines"), engineCa, clientCa)) {
			String address = machines.boot(10001, null).block(Duration.ofSeconds(60));
			assertThat(address).startsWith("10.213.");
			DockerCli tls = new DockerCli("tcp://" + address + ":2376", null).env("DOCKER_TLS_VERIFY", "1")
				.env("DOCKER_CERT_PATH", dir.resolve("pki").toString());
			// the docker CLI wants ca.pem, cert.pem, key.pem: a directory of its own
			Path certs = dir.resolve("certs");
			copy(engineCa.caFile(), certs.resolve("ca.pem"));
			copy(client.certificateFile(), certs.resolve("cert.pem"));
			copy(client.keyFile(), certs.resolve("key.pem"));
			tls.env("DOCKER_CERT_PATH", certs.toString());
			assertThat(tls.docker("images", "--format", "{{.Repository}}").assertOk().out()).contains("busybox");
			Path other = dir.resolve("other");
			TestPki otherCa = new TestPki(dir.resolve("pki-other"), "other-ca");
			TestPki.Issued stranger = otherCa.client("stranger");
			copy(engineCa.caFile(), other.resolve("ca.pem"));
			copy(stranger.certificateFile(), other.resolve("cert.pem"));
			copy(stranger.keyFile(), other.resolve("key.pem"));
			DockerCli refused = new DockerCli("tcp://" + address + ":2376", null).env("DOCKER_TLS_VERIFY", "1")
				.env("DOCKER_CERT_PATH", other.toString());
			assertThat(refused.docker("ps").exitCode()).isNotZero();
			machines.halt(10001).block(Duration.ofSeconds(30));
			assertThat(machines.running()).isZero();
		}
	}

	private static void copy(Path from, Path to) {
		try {
			java.nio.file.Files.createDirectories(to.getParent());
			java.nio.file.Files.copy(from, to);
		}
		catch (java.io.IOException e) {
			throw new java.io.UncheckedIOException(e);
		}
	}

}
