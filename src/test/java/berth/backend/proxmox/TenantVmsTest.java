package berth.backend.proxmox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Set;
import java.util.UUID;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** The claim and the fenced saves against the real Postgres (the test database, migrated). */
class TenantVmsTest {

	static JdbcClient jdbc;

	static TenantVms vms;

	@BeforeAll
	static void migrate() {
		DriverManagerDataSource source = new DriverManagerDataSource(
				"jdbc:postgresql://127.0.0.1:5432/" + System.getenv().getOrDefault("BERTH_TEST_DATABASE", "berth_test"),
				"berth", "berth");
		Flyway.configure().dataSource(source).load().migrate();
		jdbc = JdbcClient.create(source);
		vms = new TenantVms(jdbc);
	}

	static UUID tenant(String plan) {
		UUID id = UUID.randomUUID();
		String name = "vms-" + id.toString().substring(0, 8);
		jdbc.sql("insert into tenant_name (name) values (?)").param(name).update();
		jdbc.sql("insert into tenant (id, name, email, created_at, plan) values (?, ?, 'a@example.org', now(), ?)")
			.params(id, name, plan)
			.update();
		return id;
	}

	@Test
	void oneReplicaHoldsTheClaimUntilItsLeaseRunsOut() throws InterruptedException {
		UUID id = tenant("vm");
		TenantVm first = vms.claim(id, "acme", "replica-a", Duration.ofMillis(400)).orElseThrow();
		assertThat(first.state()).isEqualTo(VmState.ABSENT);
		assertThat(vms.claim(id, "acme", "replica-b", Duration.ofSeconds(30))).isEmpty();
		// the holder renews its claim and records steps
		TenantVm cloning = first.cloning(10001, "pve1");
		assertThat(vms.save(cloning, "replica-a", Duration.ofMillis(400))).isTrue();
		Thread.sleep(600);
		// replica-a stalled: replica-b takes over where it was, and replica-a can no longer write
		TenantVm second = vms.claim(id, "acme", "replica-b", Duration.ofSeconds(30)).orElseThrow();
		assertThat(second.state()).isEqualTo(VmState.CLONING);
		assertThat(second.vmid()).isEqualTo(10001);
		assertThat(second.epoch()).isGreaterThan(first.epoch());
		assertThat(vms.save(cloning.starting(), "replica-a", Duration.ofSeconds(30))).isFalse();
		assertThat(vms.find(id).orElseThrow().state()).isEqualTo(VmState.CLONING);
		assertThat(vms.save(second.starting(), "replica-b", Duration.ofSeconds(30))).isTrue();
		vms.release(second, "replica-b");
		assertThat(vms.claim(id, "acme", "replica-a", Duration.ofSeconds(30))).isPresent();
	}

	@Test
	void twoLiveVmsNeverShareAVmidOrAnAddress() {
		UUID a = tenant("vm");
		UUID b = tenant("vm");
		TenantVm va = vms.claim(a, "a", "r", Duration.ofSeconds(30)).orElseThrow();
		TenantVm vb = vms.claim(b, "b", "r", Duration.ofSeconds(30)).orElseThrow();
		int vmid = 20_000 + (int) (Math.random() * 10_000);
		assertThat(vms.save(va.cloning(vmid, "pve1"), "r", Duration.ofSeconds(30))).isTrue();
		assertThatThrownBy(() -> vms.save(vb.cloning(vmid, "pve1"), "r", Duration.ofSeconds(30)))
			.isInstanceOf(DuplicateKeyException.class);
		assertThat(vms.vmids()).contains(vmid);
		String address = "10.250." + (int) (Math.random() * 250) + ".9";
		assertThat(vms.save(va.cloning(vmid, "pve1").at(address), "r", Duration.ofSeconds(30))).isTrue();
		assertThat(vms.addresses()).contains(address);
		vms.used(Set.of(a, b));
	}

	@Test
	void aPlanNamesItsBackend() {
		assertThat(vms.planOf(tenant("vm"))).hasValueSatisfying(size -> {
			assertThat(size.cores()).isEqualTo(2);
			assertThat(size.memoryMib()).isEqualTo(4096);
			assertThat(size.diskGib()).isEqualTo(20);
		});
		assertThat(vms.planOf(tenant("standard"))).isEmpty();
	}

}
