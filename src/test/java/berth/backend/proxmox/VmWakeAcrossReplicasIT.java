package berth.backend.proxmox;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import berth.BerthApplication;
import berth.testing.Admin;
import berth.testing.BerthTest;

/**
 * Two Berth instances on one database: however many first requests arrive at both, a tenant's VM is
 * cloned once and started once; and when the instance that holds the wake dies mid-clone, the other
 * finishes it once the claim's lease runs out.
 */
@BerthTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VmWakeAcrossReplicasIT {

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
	org.springframework.jdbc.core.simple.JdbcClient jdbc;

	Admin admin;

	final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

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

	/** Another replica: the same settings and database, ports of its own. */
	ConfigurableApplicationContext replica(String... extra) {
		Map<String, String> settings = new LinkedHashMap<>(CLUSTER.settings());
		settings.put("spring.datasource.url", "jdbc:postgresql://127.0.0.1:5432/"
				+ System.getenv().getOrDefault("BERTH_TEST_DATABASE", "berth_test"));
		settings.put("berth.admin-token", BerthTest.ADMIN_TOKEN);
		settings.put("server.port", "0");
		settings.put("management.server.port", "0");
		settings.put("berth.auth.cache-ttl", "2s");
		settings.put("berth.routes.enabled", "false");
		settings.put("berth.tls.port", "0");
		settings.put("berth.pki.key-encryption-secret", BerthTest.PKI_SECRET);
		for (String setting : extra) {
			settings.put(setting.substring(0, setting.indexOf('=')), setting.substring(setting.indexOf('=') + 1));
		}
		// as arguments: default properties would lose to application.yml's
		return new SpringApplicationBuilder(BerthApplication.class)
			.run(settings.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new));
	}

	static int port(ConfigurableApplicationContext context) {
		return Integer.parseInt(context.getEnvironment().getProperty("local.server.port", "0"));
	}

	Admin.TenantKey vmTenant(String prefix) {
		Admin.TenantKey tenant = admin.newTenant(prefix);
		assertThat(admin.call("PUT", "/api/v1/tenants/" + tenant.tenant() + "/plan", Map.of("plan", "vm")).status())
			.isEqualTo(200);
		return tenant;
	}

	CompletableFuture<HttpResponse<String>> ps(int port, String key) {
		return http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1.41/containers/json"))
			.header("Authorization", "Bearer " + key)
			.timeout(Duration.ofSeconds(90))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	TenantVm vmOf(String tenant) {
		return vms.findAll().stream().filter(vm -> vm.tenantName().equals(tenant)).findFirst().orElseThrow();
	}

	@Test
	void twentyConcurrentFirstRequestsOnTwoReplicasCloneOnceAndStartOnce() {
		try (ConfigurableApplicationContext other = replica()) {
			Admin.TenantKey tenant = vmTenant("vmrace");
			List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
			for (int i = 0; i < 20; i++) {
				answers.add(ps(i % 2 == 0 ? port : port(other), tenant.key()));
			}
			for (CompletableFuture<HttpResponse<String>> answer : answers) {
				HttpResponse<String> response = answer.join();
				assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
			}
			TenantVm vm = vmOf(tenant.tenant());
			assertThat(vm.state()).isEqualTo(VmState.READY);
			assertThat(CLUSTER.pve.log()).filteredOn(line -> line.startsWith("clone ") && line.contains(" " + vm.vmid() + " "))
				.hasSize(1);
			assertThat(CLUSTER.pve.log()).filteredOn(line -> line.equals("start " + vm.vmid())).hasSize(1);
			assertThat(CLUSTER.pve.vms()).filteredOn(v -> ("berth-" + tenant.tenant()).equals(v.config.get("name")))
				.as("one VM for the tenant in the cluster")
				.hasSize(1);
		}
	}

	@Test
	void whenTheReplicaThatClonesDiesAnotherFinishesTheWake() {
		Admin.TenantKey tenant = vmTenant("vmkill");
		CLUSTER.pve.cloneDelay = Duration.ofSeconds(4);
		try {
			// no graceful shutdown: the replica stops as if killed, its wake where it was
			ConfigurableApplicationContext doomed = replica("server.shutdown=immediate");
			ps(port(doomed), tenant.key());
			Awaitility.await()
				.atMost(Duration.ofSeconds(30))
				.until(() -> vms.findAll()
					.stream()
					.anyMatch(vm -> vm.tenantName().equals(tenant.tenant()) && vm.state() == VmState.CLONING
							&& vm.upid() != null));
			doomed.close();
			TenantVm cloning = vmOf(tenant.tenant());

			HttpResponse<String> answer = ps(port, tenant.key()).join();
			assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
			TenantVm ready = vmOf(tenant.tenant());
			assertThat(ready.state()).isEqualTo(VmState.READY);
			assertThat(ready.vmid()).as("the clone the dead replica began").isEqualTo(cloning.vmid());
			assertThat(ready.epoch()).isGreaterThan(cloning.epoch());
			assertThat(CLUSTER.pve.log()).filteredOn(line -> line.startsWith("clone ") && line.contains(" " + ready.vmid() + " "))
				.hasSize(1);
			assertThat(CLUSTER.pve.log()).filteredOn(line -> line.equals("start " + ready.vmid())).hasSize(1);
		}
		finally {
			CLUSTER.pve.cloneDelay = Duration.ofMillis(300);
		}
	}

}
