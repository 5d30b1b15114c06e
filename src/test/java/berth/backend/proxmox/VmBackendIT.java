package berth.backend.proxmox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import berth.testing.Admin;
import berth.testing.BerthTest;
import berth.testing.DockerCli;
import berth.testing.DockerCli.Result;

/**
 * Tenants on the {@code vm} plan get a VM of their own, through the simulated Proxmox cluster whose
 * VMs are real network namespaces with a dockerd each: the first docker command clones, starts and
 * reaches the VM's engine over mutual TLS; two tenants get two engines that cannot reach each other.
 */
@BerthTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VmBackendIT {

	static final VmCluster CLUSTER = new VmCluster();

	@DynamicPropertySource
	static void cluster(DynamicPropertyRegistry registry) {
		CLUSTER.register(registry);
	}

	@LocalServerPort
	int port;

	@Autowired
	TenantVms vms;

	@Autowired
	io.micrometer.core.instrument.MeterRegistry registry;

	@Autowired
	org.springframework.jdbc.core.simple.JdbcClient jdbc;

	Admin admin;

	@BeforeAll
	void admin() {
		admin = new Admin(port);
	}

	@AfterAll
	void close() {
		CLUSTER.close();
		// the VMs are gone with the cluster: their rows would hold VMIDs and addresses the next one gives out
		CLUSTER.pve.vms().forEach(vm -> jdbc.sql("delete from tenant_backend where vmid = ?").param(vm.vmid).update());
	}

	Admin.TenantKey vmTenant(String prefix) {
		Admin.TenantKey tenant = admin.newTenant(prefix);
		Admin.Response moved = admin.call("PUT", "/api/v1/tenants/" + tenant.tenant() + "/plan", Map.of("plan", "vm"));
		assertThat(moved.status()).as("moving %s to the vm plan: %s", tenant.tenant(), moved.body()).isEqualTo(200);
		return tenant;
	}

	TenantVm vmOf(String tenant) {
		return vms.findAll().stream().filter(vm -> vm.tenantName().equals(tenant)).findFirst().orElseThrow();
	}

	@Test
	void theFirstCommandClonesStartsAndRunsOnTheTenantsOwnEngine() {
		Admin.TenantKey tenant = vmTenant("vmfirst");
		DockerCli cli = DockerCli.forKey(port, tenant.key());
		long clonesBefore = CLUSTER.pve.count("clone");
		String token = UUID.randomUUID().toString();
		Result run = cli.docker("run", "--name", "first", "busybox", "echo", token);
		assertThat(run.exitCode()).as("docker run on a new VM: %s", run.err()).isZero();
		assertThat(run.out()).isEqualTo(token + "\n");

		TenantVm vm = vmOf(tenant.tenant());
		assertThat(vm.state()).isEqualTo(VmState.READY);
		// the VMs of earlier tests, still being torn down, change the free memory until the clone
		String roomiest = CLUSTER.pve.roomiestWhenCloned(vm.vmid());
		assertThat(roomiest).isNotNull();
		assertThat(vm.node()).as("the online node with most free memory").isEqualTo(roomiest);
		assertThat(vm.vmid()).isBetween(10000, 10999);
		assertThat(vm.address()).isEqualTo(CLUSTER.machines.address(vm.vmid()));
		assertThat(CLUSTER.pve.count("clone") - clonesBefore).isEqualTo(1);
		// per-node templates: the clone stays on its template's node
		String template = roomiest.equals("pve1") ? "9000" : "9001";
		assertThat(CLUSTER.pve.log()).contains("clone " + template + " " + vm.vmid() + " " + roomiest, "start " + vm.vmid());
		assertThat(CLUSTER.pve.vm(vm.vmid()).config).containsEntry("tags", "berth-" + tenant.tenant())
			.containsEntry("cores", "2")
			.containsEntry("memory", "4096");

		// the container is on the VM's engine, and not on the shared one
		Result onVm = CLUSTER.machines.engine(vm.vmid()).docker("ps", "-a", "--format", "{{.Names}}");
		assertThat(onVm.out()).contains("first");
		Result onShared = DockerCli.engine().docker("ps", "-a", "--format", "{{.Names}}");
		assertThat(onShared.out()).doesNotContain(tenant.tenant());

		Admin.Response backend = admin.call("GET", "/api/v1/tenants/" + tenant.tenant() + "/backend", null);
		assertThat(backend.status()).isEqualTo(200);
		assertThat(backend.json().get("kind").asString()).isEqualTo("proxmox");
		assertThat(backend.json().get("state").asString()).isEqualTo("ready");
		assertThat(backend.json().get("vmid").asInt()).isEqualTo(vm.vmid());
		assertThat(backend.json().get("node").asString()).isEqualTo(roomiest);
		assertThat(backend.json().get("address").asString()).isEqualTo(vm.address());
		assertThat(backend.json().get("since").asString()).isNotBlank();
		assertThat(registry.get("berth.vms").tag("state", "ready").gauge().value()).isPositive();
		assertThat(registry.get("berth.vm.wake").tag("path", "clone").timer().count()).isPositive();

		// the next command finds the VM ready: no clone, no start
		assertThat(cli.docker("ps", "-a", "--format", "{{.Names}}").out()).contains("first");
		assertThat(CLUSTER.pve.count("clone") - clonesBefore).isEqualTo(1);
		assertThat(CLUSTER.pve.log().stream().filter(line -> line.equals("start " + vm.vmid()))).hasSize(1);
	}

	@Test
	void execCpAndComposeWorkOnAVm() throws IOException {
		Admin.TenantKey tenant = vmTenant("vmwork");
		DockerCli cli = DockerCli.forKey(port, tenant.key());
		assertThat(cli.docker("run", "-d", "--name", "box", "busybox", "sleep", "300").exitCode()).isZero();
		Result exec = cli.dockerWithInput("hello over exec\n".getBytes(StandardCharsets.UTF_8), "exec", "-i", "box",
				"cat");
		assertThat(exec.exitCode()).as(exec.err()).isZero();
		assertThat(exec.out()).isEqualTo("hello over exec\n");

		Path dir = Files.createTempDirectory("vm-cp");
		Path file = Files.writeString(dir.resolve("note.txt"), "copied " + tenant.tenant());
		assertThat(cli.docker("cp", file.toString(), "box:/tmp/note.txt").exitCode()).isZero();
		assertThat(cli.docker("exec", "box", "cat", "/tmp/note.txt").out()).isEqualTo("copied " + tenant.tenant());
		assertThat(cli.docker("cp", "box:/tmp/note.txt", dir.resolve("back.txt").toString()).exitCode()).isZero();
		assertThat(Files.readString(dir.resolve("back.txt"))).isEqualTo("copied " + tenant.tenant());

		Files.writeString(dir.resolve("docker-compose.yml"), """
				version: "2.4"
				services:
				  web:
				    image: busybox
				    command: ["sh", "-c", "echo up-and-running; sleep 300"]
				""");
		Result up = cli.compose(dir, "-p", "vmapp", "up", "-d");
		assertThat(up.exitCode()).as("docker-compose up on a VM: %s", up.err()).isZero();
		assertThat(CLUSTER.machines.engine(vmOf(tenant.tenant()).vmid()).docker("ps", "--format", "{{.Names}}").out())
			.contains("web");
		assertThat(cli.compose(dir, "-p", "vmapp", "down", "-t", "0").exitCode()).isZero();

		// a deleted tenant's VM is stopped and destroyed, and its row closed
		int vmid = vmOf(tenant.tenant()).vmid();
		assertThat(admin.call("DELETE", "/api/v1/tenants/" + tenant.tenant(), null).status()).isEqualTo(204);
		org.awaitility.Awaitility.await()
			.atMost(Duration.ofSeconds(90))
			.until(() -> CLUSTER.pve.vm(vmid) == null && vmOf(tenant.tenant()).state() == VmState.GONE);
		assertThat(CLUSTER.pve.log()).contains("stop " + vmid, "destroy " + vmid);
	}

	@Test
	void twoTenantsGetTwoVmsAndNeitherReachesTheOther() throws Exception {
		Admin.TenantKey a = vmTenant("vma");
		Admin.TenantKey b = vmTenant("vmb");
		DockerCli cliA = DockerCli.forKey(port, a.key());
		DockerCli cliB = DockerCli.forKey(port, b.key());
		assertThat(cliA.docker("run", "-d", "--name", "secret-a", "busybox", "sleep", "300").exitCode()).isZero();
		assertThat(cliB.docker("run", "-d", "--name", "secret-b", "busybox", "sleep", "300").exitCode()).isZero();
		TenantVm vmA = vmOf(a.tenant());
		TenantVm vmB = vmOf(b.tenant());
		assertThat(vmA.vmid()).isNotEqualTo(vmB.vmid());
		assertThat(vmA.address()).isNotEqualTo(vmB.address());
		assertThat(cliA.docker("ps", "-a", "--format", "{{.Names}}").out()).contains("secret-a").doesNotContain("secret-b");
		assertThat(cliB.docker("ps", "-a", "--format", "{{.Names}}").out()).contains("secret-b").doesNotContain("secret-a");
		assertThat(cliA.docker("inspect", "secret-b").exitCode()).isNotZero();

		// a container in A's VM that talks to B's engine gets nowhere: no TLS, no answer
		Result attack = cliA.docker("run", "--rm", "busybox", "sh", "-c", "printf 'GET /containers/json HTTP/1.0\\r\\n\\r\\n' | nc -w 3 "
				+ vmB.address() + " 2376; echo exit=$?");
		assertThat(attack.out()).doesNotContain("secret-b").doesNotContain("\"Id\"");
		assertThat(CLUSTER.machines.engine(vmB.vmid()).docker("ps", "--format", "{{.Names}}").out()).contains("secret-b");

		// and a TLS client without Berth's certificate is refused by the engine itself
		assertThat(refusesWithoutClientCertificate(vmB.address())).isTrue();

		// with containers on its VM, the tenant cannot move to a plan of the shared engine
		Admin.Response moved = admin.call("PUT", "/api/v1/tenants/" + a.tenant() + "/plan", Map.of("plan", "standard"));
		assertThat(moved.status()).isEqualTo(409);
		assertThat(moved.contentType()).contains("application/problem+json");
		assertThat(moved.json().get("detail").asString()).contains("1 container(s) on its proxmox backend");
		assertThat(vms.planOf(vmA.tenantId())).isPresent();
		assertThat(cliA.docker("rm", "-f", "secret-a").exitCode()).isZero();
		assertThat(admin.call("PUT", "/api/v1/tenants/" + a.tenant() + "/plan", Map.of("plan", "standard")).status())
			.isEqualTo(200);
		assertThat(admin.call("GET", "/api/v1/tenants/" + a.tenant() + "/backend", null).json().get("kind").asString())
			.isEqualTo("shared");
	}

	/** A TLS client that trusts the engine but has no client certificate cannot list containers. */
	private boolean refusesWithoutClientCertificate(String address) throws Exception {
		KeyStore trust = KeyStore.getInstance("PKCS12");
		trust.load(null, null);
		trust.setCertificateEntry("engine-ca", CLUSTER.engineCa.caCertificate());
		TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
		factory.init(trust);
		SSLContext context = SSLContext.getInstance("TLS");
		context.init(null, factory.getTrustManagers(), null);
		try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket()) {
			socket.connect(new InetSocketAddress(address, VmEngines.PORT), 3000);
			socket.setSoTimeout(3000);
			socket.getOutputStream().write("GET /containers/json HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			socket.getOutputStream().flush();
			String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
			return !answer.contains("200 OK");
		}
		catch (IOException refused) {
			return true;
		}
	}

	@Test
	void proxmoxDownAnswers503WithRetryAfterThenRecovers() throws Exception {
		Admin.TenantKey tenant = vmTenant("vmdown");
		CLUSTER.pve.stop();
		try {
			HttpResponse<String> answer = HttpClient.newHttpClient()
				.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1.41/containers/json"))
					.header("Authorization", "Bearer " + tenant.key())
					.timeout(Duration.ofSeconds(30))
					.build(), HttpResponse.BodyHandlers.ofString());
			assertThat(answer.statusCode()).isEqualTo(503);
			assertThat(answer.headers().firstValue("Retry-After")).isPresent();
			assertThat(answer.body()).startsWith("{\"message\":\"berth: your VM could not be started: the Proxmox cluster does not answer");
			assertThat(vmOf(tenant.tenant()).state()).isEqualTo(VmState.FAILED);
			assertThat(vmOf(tenant.tenant()).lastError()).contains("Proxmox did not answer");
		}
		finally {
			CLUSTER.pve.start();
		}
		DockerCli cli = DockerCli.forKey(port, tenant.key());
		Result ps = cli.docker("ps");
		assertThat(ps.exitCode()).as("after Proxmox is back: %s", ps.err()).isZero();
		assertThat(vmOf(tenant.tenant()).state()).isEqualTo(VmState.READY);
	}

	@Test
	void anInjectedLockTimeoutIsRetried() {
		Admin.TenantKey tenant = vmTenant("vmlock");
		CLUSTER.pve.failNext("clone", 2, "can't lock file '/var/lock/qemu-server/lock-9000.conf' - got timeout");
		long clones = CLUSTER.pve.count("clone");
		Result ps = DockerCli.forKey(port, tenant.key()).docker("ps");
		assertThat(ps.exitCode()).as(ps.err()).isZero();
		assertThat(CLUSTER.pve.count("clone") - clones).isEqualTo(1);
		assertThat(vmOf(tenant.tenant()).state()).isEqualTo(VmState.READY);
		assertThat(registry.get("berth.proxmox.errors").tag("kind", "locked").counter().count()).isGreaterThanOrEqualTo(2);
	}

}
