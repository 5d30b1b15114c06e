package berth.backend.proxmox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.test.context.DynamicPropertyRegistry;

import berth.testing.TestPki;
import berth.testing.VmMachines;

/**
 * A simulated Proxmox cluster whose VMs are real: the {@link ProxmoxSimulator} on loopback, each VM a
 * network namespace with a dockerd of its own ({@link VmMachines}), and the three CAs: Proxmox's, the
 * VM engines', and the one Berth's client certificate comes from. One per test class; closed after it.
 */
final class VmCluster implements AutoCloseable {

	static final String TOKEN = "berth@pve!berth=3f2a0c55-7f1e-4c0b-a1b2-it-secret";

	final Path dir;

	final TestPki proxmoxCa;

	final TestPki engineCa;

	final TestPki clientCa;

	final TestPki.Issued berth;

	final VmMachines machines;

	final ProxmoxSimulator pve;

	VmCluster() {
		try {
			dir = Files.createTempDirectory("berth-vms");
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		proxmoxCa = new TestPki(dir.resolve("pki"), "proxmox-ca");
		engineCa = new TestPki(dir.resolve("pki"), "engine-ca");
		clientCa = new TestPki(dir.resolve("pki"), "client-ca");
		berth = clientCa.client("berth");
		machines = new VmMachines(dir.resolve("machines"), engineCa, clientCa);
		pve = new ProxmoxSimulator(proxmoxCa, TOKEN, machines).node("pve1", 64, 4, true)
			.node("pve2", 64, 20, true)
			.node("pve3", 128, 0, false)
			.template(9000, "pve1", false)
			.template(9001, "pve2", false)
			.start();
	}

	/** Berth's settings for this cluster. */
	Map<String, String> settings() {
		Map<String, String> settings = new LinkedHashMap<>();
		settings.put("berth.backend.proxmox.url", pve.url());
		settings.put("berth.backend.proxmox.token", TOKEN);
		settings.put("berth.backend.proxmox.ca-certificate", proxmoxCa.caFile().toString());
		settings.put("berth.backend.proxmox.templates", "pve1:9000,pve2:9001");
		settings.put("berth.backend.proxmox.vmid-range", "10000-10999");
		settings.put("berth.backend.proxmox.engine-tls.ca-certificate", engineCa.caFile().toString());
		settings.put("berth.backend.proxmox.engine-tls.certificate", berth.certificateFile().toString());
		settings.put("berth.backend.proxmox.engine-tls.private-key", berth.keyFile().toString());
		settings.put("berth.backend.proxmox.wake-timeout", "60s");
		return settings;
	}

	void register(DynamicPropertyRegistry registry) {
		settings().forEach((name, value) -> registry.add(name, () -> value));
	}

	@Override
	public void close() {
		pve.close();
		machines.close();
		try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
			files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
		}
		catch (IOException e) {
			// a temporary directory left behind is harmless
		}
	}

}
