package berth.backend.proxmox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import tools.jackson.databind.json.JsonMapper;

import berth.backend.proxmox.ProxmoxException.Kind;
import berth.testing.TestPki;

/** The Proxmox client against the simulator: the contract's calls, its errors, and its timing quirks. */
@ExtendWith(OutputCaptureExtension.class)
class ProxmoxClientTest {

	static final String TOKEN = "berth@pve!berth=5e3a7c1e-0d52-4f1b-9f0e-secret-value";

	static final ProxmoxClient.Timing FAST = new ProxmoxClient.Timing(Duration.ofMillis(50), Duration.ofMillis(20),
			4, Duration.ofSeconds(10));

	@TempDir
	Path dir;

	TestPki pki;

	ProxmoxSimulator pve;

	SimpleMeterRegistry registry = new SimpleMeterRegistry();

	ProxmoxClient client;

	@BeforeEach
	void start() {
		pki = new TestPki(dir, "pve-ca");
		pve = new ProxmoxSimulator(pki, TOKEN, ProxmoxSimulator.Machines.NONE).node("pve1", 64, 8, true)
			.node("pve2", 64, 40, true)
			.template(9000, "pve1", true)
			.start();
		client = client(TOKEN, pki.caFile());
	}

	@AfterEach
	void stop() {
		pve.close();
	}

	ProxmoxClient client(String token, Path ca) {
		return new ProxmoxClient(properties(pve.url(), token, ca.toString()), FAST, JsonMapper.builder().build(),
				new ProxmoxErrors(registry));
	}

	static ProxmoxProperties properties(String url, String token, String ca) {
		return new ProxmoxProperties(url, token, ca, "9000", "10000-19999", "",
				new ProxmoxProperties.EngineTls("", "", ""), Duration.ofSeconds(120), Duration.ofMinutes(15));
	}

	double errors(Kind kind) {
		return registry.get("berth.proxmox.errors").tag("kind", kind.tag()).counter().count();
	}

	@Test
	void clonesConfiguresStartsAndFindsTheAddressOnNet0() {
		List<ProxmoxClient.Node> nodes = client.nodes().block();
		assertThat(nodes).extracting(ProxmoxClient.Node::name).containsExactlyInAnyOrder("pve1", "pve2");

		Upid clone = client.cloneVm("pve1", 9000, 10001, "berth-acme", "pve2").block();
		// the clone task runs on the template's node and names the template
		assertThat(clone.node()).isEqualTo("pve1");
		assertThat(clone.type()).isEqualTo("qmclone");
		assertThat(clone.id()).isEqualTo("9000");
		assertThat(pve.vm(10001).lock).isEqualTo("clone");
		// the first poll comes before the task is visible (400) and is tried again
		client.await(clone).block(Duration.ofSeconds(10));
		assertThat(pve.vm(10001).lock).isNull();
		assertThat(pve.vm(10001).node).isEqualTo("pve2");

		client.configure("pve2", 10001, Map.of("tags", "berth-acme", "cores", "2", "memory", "2048")).block();
		assertThat(client.vms().block()).filteredOn(vm -> vm.vmid() == 10001)
			.singleElement()
			.satisfies(vm -> assertThat(vm.tags()).containsExactly("berth-acme"));

		client.await(client.start("pve2", 10001).block()).block(Duration.ofSeconds(10));
		assertThat(client.status("pve2", 10001).block()).isEqualTo("running");

		// the agent fails while booting, then lists only lo and link-local, then the address and docker0
		long begun = System.nanoTime();
		String address = client.agentAddress("pve2", 10001).block(Duration.ofSeconds(20));
		assertThat(address).startsWith("10.213.");
		assertThat(Duration.ofNanos(System.nanoTime() - begun)).isGreaterThanOrEqualTo(pve.agentDelay);
		assertThat(pve.log()).containsExactly("clone 9000 10001 pve2",
				"config 10001 {cores=2, memory=2048, tags=berth-acme}", "start 10001");
	}

	@Test
	void aLockTimeoutIsRetriedWithBackoff() {
		pve.template(9001, "pve2", false);
		Upid clone = client.cloneVm("pve2", 9001, 10002, "berth-acme", null).block();
		client.await(clone).block(Duration.ofSeconds(10));
		pve.failNext("config", 2, "can't lock file '/var/lock/qemu-server/lock-10002.conf' - got timeout");
		client.configure("pve2", 10002, Map.of("memory", "1024")).block(Duration.ofSeconds(10));
		assertThat(pve.count("config")).isEqualTo(1);
		assertThat(errors(Kind.LOCKED)).isEqualTo(2);

		pve.failNext("config", 10, "can't lock file '/var/lock/qemu-server/lock-10002.conf' - got timeout");
		assertThatThrownBy(() -> client.configure("pve2", 10002, Map.of("memory", "1024")).block())
			.isInstanceOfSatisfying(ProxmoxException.class, e -> assertThat(e.kind()).isEqualTo(Kind.LOCKED));
		assertThat(errors(Kind.LOCKED)).isEqualTo(2 + 5);
	}

	@Test
	void aConfigOfAClonedVmWaitsForTheCloneLock() {
		pve.cloneDelay = Duration.ofMillis(200);
		client.cloneVm("pve1", 9000, 10003, "berth-acme", null).block();
		// "VM is locked (clone)" until the clone task ends: retried
		client.configure("pve1", 10003, Map.of("cores", "2")).block(Duration.ofSeconds(10));
		assertThat(pve.vm(10003).config).containsEntry("cores", "2");
		assertThat(errors(Kind.LOCKED)).isPositive();
	}

	@Test
	void errorsAreSortedByKind() {
		pve.raceNextClones(1);
		assertThatThrownBy(() -> client.cloneVm("pve1", 9000, 10004, "berth-acme", null).block())
			.isInstanceOfSatisfying(ProxmoxException.class, e -> {
				assertThat(e.kind()).isEqualTo(Kind.EXISTS);
				assertThat(e).hasMessage("unable to create VM 10004: config file already exists");
			});
		assertThatThrownBy(() -> client.config("pve1", 4242).block())
			.isInstanceOfSatisfying(ProxmoxException.class, e -> assertThat(e.kind()).isEqualTo(Kind.GONE));
		client.await(client.cloneVm("pve1", 9000, 10005, "berth-acme", null).block()).block(Duration.ofSeconds(5));
		assertThatThrownBy(() -> client.configure("pve1", 10005, Map.of("memory", "lots")).block())
			.isInstanceOfSatisfying(ProxmoxException.class, e -> {
				assertThat(e.kind()).isEqualTo(Kind.PARAMETER);
				assertThat(e.getMessage()).contains("memory").contains("type check");
			});
		// a task that ends with another exit status than OK
		client.await(client.start("pve1", 10005).block()).block(Duration.ofSeconds(5));
		Upid again = client.start("pve1", 10005).block();
		assertThatThrownBy(() -> client.await(again).block(Duration.ofSeconds(5)))
			.isInstanceOfSatisfying(ProxmoxException.class, e -> {
				assertThat(e.kind()).isEqualTo(Kind.TASK_FAILED);
				assertThat(e.getMessage()).contains("VM 10005 already running");
			});
		// newer servers put the message in the body too
		pve.messageInBody = true;
		assertThatThrownBy(() -> client.agentAddress("pve1", 4243).block())
			.isInstanceOfSatisfying(ProxmoxException.class, e -> assertThat(e.kind()).isEqualTo(Kind.GONE));
		assertThat(errors(Kind.EXISTS)).isEqualTo(1);
		assertThat(errors(Kind.TASK_FAILED)).isEqualTo(1);
	}

	@Test
	void aTemplateWithoutTheAgentFailsAtOnce() {
		pve.foreignVm(10006, "pve1", "no-agent", "");
		pve.vm(10006).status = "running";
		assertThatThrownBy(() -> client.agentAddress("pve1", 10006).block(Duration.ofSeconds(5)))
			.isInstanceOfSatisfying(ProxmoxException.class,
					e -> assertThat(e.getMessage()).contains("No QEMU guest agent configured"));
	}

	@Test
	void aBadTokenIsRefusedAfterTheServersDelayAndNeverLogged(CapturedOutput output) {
		ProxmoxClient wrong = client("berth@pve!berth=not-the-secret-4711", pki.caFile());
		long begun = System.nanoTime();
		assertThatThrownBy(() -> wrong.nodes().block())
			.isInstanceOfSatisfying(ProxmoxException.class, e -> assertThat(e.kind()).isEqualTo(Kind.AUTH));
		assertThat(Duration.ofNanos(System.nanoTime() - begun)).isGreaterThanOrEqualTo(Duration.ofMillis(2900));
		assertThat(output.getAll()).doesNotContain("not-the-secret-4711").doesNotContain("secret-value");
		assertThat(properties(pve.url(), TOKEN, "").toString()).doesNotContain("secret-value")
			.contains("berth@pve!berth");
	}

	@Test
	void proxmoxIsTrustedOnlyThroughTheConfiguredCa() {
		TestPki other = new TestPki(dir.resolve("other"), "other-ca");
		assertThatThrownBy(() -> client(TOKEN, other.caFile()).nodes().block())
			.isInstanceOfSatisfying(ProxmoxException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE));
		assertThatThrownBy(() -> client(TOKEN, Path.of(""))).isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("ca-certificate");
	}

	@Test
	void proxmoxDownIsUnavailable() {
		pve.stop();
		assertThatThrownBy(() -> client.nodes().block())
			.isInstanceOfSatisfying(ProxmoxException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE));
		pve.start();
		assertThat(client.nodes().block()).hasSize(2);
	}

	@Test
	void settingsParse() {
		assertThat(Templates.parse("pve1:9000, pve2:9001").perNode()).containsEntry("pve1", 9000)
			.containsEntry("pve2", 9001);
		assertThat(Templates.parse("9000").shared()).hasValue(9000);
		assertThatThrownBy(() -> Templates.parse("pve1:x")).hasMessageContaining("not a VMID");
		VmidRange range = VmidRange.parse("10000-10002");
		assertThat(range.pick(java.util.Set.of(10000, 10002), new java.util.Random())).isEqualTo(10001);
		assertThat(range.pick(java.util.Set.of(10000, 10001, 10002), new java.util.Random())).isEqualTo(-1);
		assertThatThrownBy(() -> VmidRange.parse("50-10")).isInstanceOf(IllegalArgumentException.class);
		AddressPool pool = AddressPool.parse("10.99.0.100-10.99.0.101/24,gw=10.99.0.1").orElseThrow();
		assertThat(pool.pick(java.util.Set.of("10.99.0.100"))).hasValue("10.99.0.101");
		assertThat(pool.pick(java.util.Set.of("10.99.0.100", "10.99.0.101"))).isEmpty();
		assertThat(pool.ipconfig("10.99.0.101")).isEqualTo("ip=10.99.0.101/24,gw=10.99.0.1");
		assertThat(AddressPool.parse(" ")).isEmpty();
		assertThatThrownBy(() -> AddressPool.parse("10.99.0.100/24")).isInstanceOf(IllegalArgumentException.class);
	}

}
