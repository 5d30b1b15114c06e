package berth.backend.proxmox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import berth.backend.Engine;
import berth.testing.TestPki;

/** A VM engine is reached over mutual TLS or not at all: missing TLS files stop Berth at startup. */
class VmEnginesTest {

	@TempDir
	Path dir;

	@Test
	void withoutTlsFilesThereIsNoVmEngine() {
		assertThatThrownBy(() -> new VmEngines(new ProxmoxProperties.EngineTls("", "", "")))
			.isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("mutual TLS only");
		TestPki ca = new TestPki(dir, "engine-ca");
		TestPki.Issued client = ca.client("berth");
		assertThatThrownBy(() -> new VmEngines(new ProxmoxProperties.EngineTls(ca.caFile().toString(),
				client.certificateFile().toString(), dir.resolve("missing-key.pem").toString())))
			.isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("cannot read");
	}

	@Test
	void aVmEngineIsOwnAndTlsOn2376() {
		TestPki ca = new TestPki(dir, "engine-ca");
		TestPki.Issued client = ca.client("berth");
		VmEngines engines = new VmEngines(new ProxmoxProperties.EngineTls(ca.caFile().toString(),
				client.certificateFile().toString(), client.keyFile().toString()));
		TenantVm vm = TenantVm.absent(UUID.randomUUID(), "acme").cloning(10001, "pve1").starting().booting().at("10.0.0.7");
		Engine engine = engines.engine(vm);
		assertThat(engine.kind()).isEqualTo(Engine.Kind.OWN);
		assertThat(engine.isTls()).isTrue();
		assertThat(engine.address().dockerHost()).isEqualTo("tcp://10.0.0.7:2376");
		engine.dispose();
	}

}
