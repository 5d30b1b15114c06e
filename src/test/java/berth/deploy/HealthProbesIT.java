package berth.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import berth.testing.BerthTest;
import berth.testing.Forwarder;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The probes the Helm chart points Kubernetes at: liveness and readiness answer on the management port,
 * and stay UP while Postgres is away (cut here by a forwarder), which the full health shows as DOWN.
 */
@BerthTest
@DirtiesContext // its database is a forwarder that goes away with the class
class HealthProbesIT {

	static final Forwarder postgres = Forwarder.toLocalPort(5432);

	static final JsonMapper JSON = JsonMapper.builder().build();

	static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	@DynamicPropertySource
	static void databaseThroughAForwarder(DynamicPropertyRegistry registry) {
		postgres.start();
		registry.add("spring.datasource.url", () -> "jdbc:postgresql://127.0.0.1:" + postgres.port() + "/"
				+ System.getenv().getOrDefault("BERTH_TEST_DATABASE", "berth_test"));
		// The db health check must give up quickly once the database is gone.
		registry.add("spring.datasource.hikari.connection-timeout", () -> "2000");
	}

	@AfterAll
	static void closeDatabase() {
		postgres.close();
	}

	@LocalManagementPort
	int managementPort;

	@Test
	void livenessAndReadinessAnswerOnTheManagementPortAndIgnoreADatabaseOutage() throws Exception {
		for (String probe : new String[] { "liveness", "readiness" }) {
			Answer answer = get("/actuator/health/" + probe);
			assertThat(answer.status()).as(probe).isEqualTo(200);
			assertThat(answer.body().get("status").asString()).isEqualTo("UP");
		}
		assertThat(get("/actuator/health").body().at("/components/db/status").asString()).isEqualTo("UP");

		postgres.stop();
		try {
			Answer health = get("/actuator/health");
			assertThat(health.body().at("/components/db/status").asString()).as("full health during the outage").isEqualTo("DOWN");
			assertThat(health.status()).isEqualTo(503);
			for (String probe : new String[] { "liveness", "readiness" }) {
				Answer answer = get("/actuator/health/" + probe);
				assertThat(answer.status()).as("%s during the outage", probe).isEqualTo(200);
				assertThat(answer.body().get("status").asString()).isEqualTo("UP");
				assertThat(answer.body().at("/components/db").isMissingNode()).as("%s does not look at the database", probe).isTrue();
			}
		}
		finally {
			postgres.start();
		}
	}

	record Answer(int status, JsonNode body) {
	}

	Answer get(String path) throws IOException, InterruptedException {
		HttpResponse<String> response = HTTP.send(
				HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path)).timeout(Duration.ofSeconds(20)).build(),
				HttpResponse.BodyHandlers.ofString());
		return new Answer(response.statusCode(), JSON.readTree(response.body()));
	}

}
