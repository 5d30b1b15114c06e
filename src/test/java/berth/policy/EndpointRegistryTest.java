package berth.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The endpoint registry against its reviewed copy, {@code policy/registry.csv}: every row, every
 * column, in the table's order. A row added, removed or changed in {@link ApiTable} fails here until
 * the CSV says the same, so a change to what Berth knows about an endpoint shows in review as one line.
 */
class EndpointRegistryTest {

	static final String HEADER = "method,template,access,body,named,isolation,view,rewrite,upgrades,metric";

	@Test
	void everyRowIsTheReviewedOne() throws IOException {
		List<String> reviewed = reviewed();
		assertThat(reviewed.get(0)).isEqualTo(HEADER);
		List<String> rows = ApiTable.rows().stream().map(EndpointRegistryTest::line).toList();
		assertThat(rows).containsExactlyElementsOf(reviewed.subList(1, reviewed.size()));
	}

	@Test
	void allowedRowsSayHowTheirBodyIsReadAndRefusedOnesWhy() {
		for (Endpoint endpoint : ApiTable.rows()) {
			assertThat(endpoint.body() == Body.JSON).as(endpoint.key()).isEqualTo(endpoint.schema() != null);
			assertThat(endpoint.refused()).as(endpoint.key()).isEqualTo(endpoint.refusal() != null);
			if (endpoint.refused()) {
				assertThat(endpoint.isolated()).as("a refused row never reaches the engine: " + endpoint.key()).isFalse();
			}
		}
	}

	@Test
	void aPathNamingAnObjectIsOwnedOrPlannedNeverPassedOnUnchecked() {
		for (Endpoint endpoint : ApiTable.rows()) {
			if (endpoint.refused() || endpoint.named() == Endpoint.Named.NOTHING) {
				continue;
			}
			boolean checked = switch (endpoint.isolation()) {
				case OWNED, RENAMED, IMAGES -> true;
				default -> endpoint.key().equals("GET /distribution/{name}/json");
			};
			assertThat(checked).as(endpoint.key()).isTrue();
		}
	}

	@ParameterizedTest
	@CsvSource({ "GET, /swarm, swarm is not available to tenants",
			"POST, /plugins/pull, plugins run privileged code and are installed by operators only",
			"GET, other, GET other is not an endpoint Berth allows",
			"GET, /session, GET /session is not an endpoint Berth allows" })
	void anEndpointNotInTheTableIsRefused(String method, String template, String reason) {
		Endpoint endpoint = ApiTable.lookup(method, template);
		assertThat(endpoint.refused()).isTrue();
		assertThat(endpoint.refusal()).isEqualTo(reason);
		assertThat(endpoint.isolated()).isFalse();
		assertThat(endpoint.upgrades()).isFalse();
	}

	static List<String> reviewed() throws IOException {
		try (InputStream in = Objects.requireNonNull(
				EndpointRegistryTest.class.getResourceAsStream("/policy/registry.csv"))) {
			return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
				.filter(line -> !line.isBlank() && !line.startsWith("#"))
				.toList();
		}
	}

	static String line(Endpoint endpoint) {
		return String.join(",", endpoint.method(), endpoint.template(), endpoint.access().name().toLowerCase(),
				endpoint.body().name().toLowerCase(), endpoint.named().name().toLowerCase(),
				endpoint.isolation().name().toLowerCase(), endpoint.view().name().toLowerCase(),
				endpoint.view().rewrite().name().toLowerCase(), String.valueOf(endpoint.upgrades()),
				endpoint.metric());
	}

}
