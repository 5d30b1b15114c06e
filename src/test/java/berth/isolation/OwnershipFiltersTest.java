package berth.isolation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import berth.policy.Policy;
import berth.web.DockerApiException;

/** The owner label is merged into whatever filters a tenant sends, and never widened. */
class OwnershipFiltersTest {

	@Test
	void noFiltersGetTheOwnerLabel() {
		assertThat(Filters.scoped(null, "acme")).isEqualTo("{\"label\":{\"berth.tenant=acme\":true}}");
		assertThat(Filters.scoped("", "acme")).isEqualTo("{\"label\":{\"berth.tenant=acme\":true}}");
		assertThat(Filters.scoped("{}", "acme")).isEqualTo("{\"label\":{\"berth.tenant=acme\":true}}");
	}

	@Test
	void theTenantsOwnFiltersAreKeptInBothForms() {
		assertThat(Filters.scoped("{\"status\":[\"exited\"],\"label\":[\"app=web\"]}", "acme"))
			.isEqualTo("{\"status\":{\"exited\":true},\"label\":{\"app=web\":true,\"berth.tenant=acme\":true}}");
		assertThat(Filters.scoped("{\"name\":{\"web\":true}}", "acme"))
			.isEqualTo("{\"name\":{\"web\":true},\"label\":{\"berth.tenant=acme\":true}}");
	}

	@Test
	void anotherTenantsLabelOnlyNarrows() {
		// label filters are ANDed by the engine: both labels must match, so nothing of the other tenant
		assertThat(Filters.scoped("{\"label\":[\"berth.tenant=victim\"]}", "acme"))
			.isEqualTo("{\"label\":{\"berth.tenant=victim\":true,\"berth.tenant=acme\":true}}");
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = { "[]", "\"label\"", "{\"label\":\"x\"}", "{\"label\":[1]}", "{\"label\":{\"a\":1}}",
			"{not json" })
	void malformedFiltersAreRefused(String filters) {
		assertThatThrownBy(() -> Filters.scoped(filters, "acme")).isInstanceOf(DockerApiException.class);
	}

	@Test
	void theFirstFiltersValueIsScopedAndTheOthersDropped() {
		Query query = Query.parse("all=1&filters=%7B%22label%22%3A%5B%22a%3Db%22%5D%7D&filt%65rs=%7B%7D&size=1");
		assertThat(query.first("filters")).isEqualTo("{\"label\":[\"a=b\"]}");
		String rewritten = query.with("filters", Filters.scoped(query.first("filters"), "acme"));
		assertThat(rewritten).startsWith("all=1&size=1&filters=");
		assertThat(rewritten).doesNotContain("filt%65rs");
		String filters = URLDecoder.decode(rewritten.substring(rewritten.indexOf("filters=") + 8), StandardCharsets.UTF_8);
		assertThat(filters).isEqualTo("{\"label\":{\"a=b\":true,\"berth.tenant=acme\":true}}");
	}

	@Test
	void anAbsentQueryGetsOnlyTheFilters() {
		assertThat(Query.parse(null).with("filters", "{}")).isEqualTo("filters=%7B%7D");
	}

	@Test
	void semicolonsAndBadEscapesAreRefused() {
		assertThatThrownBy(() -> Query.parse("all=1;filters={}")).isInstanceOf(DockerApiException.class);
		assertThatThrownBy(() -> Query.parse("filters=%zz")).isInstanceOf(DockerApiException.class);
	}

	@Test
	void objectPathsAreRecognised() {
		assertThat(Ownership.Kind.of(Policy.endpoint("GET", "/containers/{id}/json"))).isEqualTo(Ownership.Kind.CONTAINER);
		assertThat(Ownership.Kind.of(Policy.endpoint("DELETE", "/containers/{id}"))).isEqualTo(Ownership.Kind.CONTAINER);
		assertThat(Ownership.Kind.of(Policy.endpoint("POST", "/exec/{id}/start"))).isEqualTo(Ownership.Kind.EXEC);
		assertThat(Ownership.Kind.of(Policy.endpoint("GET", "/volumes/{id}"))).isEqualTo(Ownership.Kind.VOLUME);
		assertThat(Ownership.Kind.of(Policy.endpoint("POST", "/networks/{id}/connect"))).isEqualTo(Ownership.Kind.NETWORK);
		assertThat(Ownership.Kind.of(Policy.endpoint("GET", "/containers/json"))).isNull();
		assertThat(Ownership.Kind.of(Policy.endpoint("POST", "/networks/create"))).isNull();
	}

}
