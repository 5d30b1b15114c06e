package berth.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

import berth.testing.Admin;
import berth.testing.BerthTest;
import berth.testing.DockerCli;
import berth.testing.Raw;

/**
 * The plan's container limit holds when a tenant creates many containers at once (docker-compose
 * creates services side by side): counted on the engine afterwards.
 */
@BerthTest
class ContainerQuotaIT {

	@LocalServerPort
	int port;

	Admin.TenantKey tenant;

	final DockerCli engine = DockerCli.engine();

	@BeforeEach
	void smallPlan() {
		Admin admin = new Admin(port);
		tenant = admin.newTenant("quota");
		assertThat(admin.call("PUT", "/api/v1/tenants/" + tenant.tenant() + "/plan", Map.of("plan", "small")).status())
			.isEqualTo(200);
	}

	@AfterEach
	void cleanUp() {
		engine.removeOwnedBy(tenant.tenant());
	}

	@Test
	void concurrentCreatesStopAtThePlansLimit() throws Exception {
		int limit = 10; // the 'small' plan
		for (int i = 0; i < limit - 3; i++) {
			assertThat(create("before-" + i).status()).isEqualTo(201);
		}
		int tries = 12;
		List<Raw.Answer> answers = new ArrayList<>();
		try (ExecutorService clients = Executors.newFixedThreadPool(tries)) {
			List<Future<Raw.Answer>> sent = new ArrayList<>();
			for (int i = 0; i < tries; i++) {
				String name = "burst-" + i;
				sent.add(clients.submit(() -> create(name)));
			}
			for (Future<Raw.Answer> answer : sent) {
				answers.add(answer.get());
			}
		}
		long created = answers.stream().filter(answer -> answer.status() == 201).count();
		List<Raw.Answer> refused = answers.stream().filter(answer -> answer.status() != 201).toList();
		assertThat(created).isEqualTo(3);
		assertThat(refused).hasSize(tries - 3)
			.allSatisfy(answer -> {
				assertThat(answer.status()).isEqualTo(403);
				assertThat(answer.body()).contains("limit of 10 containers").contains("quota-containers");
			});
		String onEngine = engine.docker("ps", "-aq", "--filter", "label=berth.tenant=" + tenant.tenant()).assertOk().out();
		assertThat(onEngine.lines().count()).isEqualTo(limit);
	}

	private Raw.Answer create(String name) {
		byte[] body = "{\"Image\":\"busybox\",\"Cmd\":[\"true\"]}".getBytes(StandardCharsets.UTF_8);
		return Raw.send(port, "POST", "/v1.41/containers/create?name=" + name, body, false,
				"Authorization: Bearer " + tenant.key(), "Content-Type: application/json");
	}

}
