package berth.isolation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

import berth.testing.Admin;
import berth.testing.BerthTest;
import berth.testing.DockerCli;

/** {@code docker info} and {@code docker system df} count the tenant's own things, not the engine's. */
@BerthTest
class SummariesIT {

	@LocalServerPort
	int port;

	final DockerCli engine = DockerCli.engine();

	final List<Admin.TenantKey> tenants = new ArrayList<>();

	@AfterEach
	void cleanUp() {
		tenants.forEach(tenant -> engine.removeOwnedBy(tenant.tenant()));
	}

	@Test
	void infoAndDiskUsageAreTheTenantsShare() {
		Admin admin = new Admin(port);
		Admin.TenantKey a = admin.newTenant("sum-a");
		Admin.TenantKey b = admin.newTenant("sum-b");
		tenants.addAll(List.of(a, b));
		DockerCli dockerA = DockerCli.forKey(port, a.key());
		DockerCli dockerB = DockerCli.forKey(port, b.key());
		dockerA.docker("run", "-d", "busybox", "sleep", "120").assertOk();
		dockerA.docker("create", "busybox", "true").assertOk();
		dockerA.docker("volume", "create", Admin.uniqueName("sum")).assertOk();
		dockerB.docker("run", "-d", "busybox", "sleep", "120").assertOk();

		String counts = "{{.Containers}} {{.ContainersRunning}} {{.ContainersPaused}} {{.ContainersStopped}} {{.Images}}";
		assertThat(engine.docker("info", "--format", "{{.Containers}}").assertOk().trimmed())
			.as("the engine itself holds at least the three containers")
			.satisfies(total -> assertThat(Integer.parseInt(total)).isGreaterThanOrEqualTo(3));
		assertThat(dockerA.docker("info", "--format", counts).assertOk().trimmed()).isEqualTo("2 1 0 1 1");
		assertThat(dockerB.docker("info", "--format", counts).assertOk().trimmed()).isEqualTo("1 1 0 0 1");
		assertThat(dockerB.docker("info", "--format", "{{.ServerVersion}}").assertOk().trimmed())
			.as("the rest of info is the engine's")
			.isEqualTo(engine.docker("info", "--format", "{{.ServerVersion}}").assertOk().trimmed());

		String rows = "{{.Type}}={{.TotalCount}}";
		assertThat(dockerA.docker("system", "df", "--format", rows).assertOk().trimmed().lines())
			.containsExactly("Images=1", "Containers=2", "Local Volumes=1", "Build Cache=0");
		assertThat(dockerB.docker("system", "df", "--format", rows).assertOk().trimmed().lines())
			.containsExactly("Images=1", "Containers=1", "Local Volumes=0", "Build Cache=0");
		String verbose = dockerB.docker("system", "df", "-v").assertOk().out();
		assertThat(verbose).as("B's verbose df names none of A's containers")
			.doesNotContain(engine.docker("ps", "-aq", "--no-trunc", "--filter", "label=berth.tenant=" + a.tenant())
				.trimmed()
				.lines()
				.map(id -> id.substring(0, 12))
				.toArray(String[]::new));
	}

}
