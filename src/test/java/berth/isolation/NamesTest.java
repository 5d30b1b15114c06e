package berth.isolation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import berth.web.DockerApiException;
import berth.web.EngineError;

/** The naming scheme and the rewrites of names going in: queries, filters, create bodies. */
class NamesTest {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@Test
	void engineSideNamesSplitAtTheFirstUnderscore() {
		assertThat(Names.engineSide("acme", "web")).isEqualTo("acme_web");
		assertThat(Names.engineSide("acme", "bob_web")).as("another tenant's engine-side name is just a name")
			.isEqualTo("acme_bob_web");
		assertThat(Names.shown("acme", "acme_web")).isEqualTo("web");
		assertThat(Names.shown("acme", "/acme_web")).isEqualTo("/web");
		assertThat(Names.shown("acme", "acme_bob_web")).isEqualTo("bob_web");
		assertThat(Names.shown("acme", "bob_web")).isEqualTo("bob_web");
		assertThat(Names.shown("acme", "acme-2_web")).isEqualTo("acme-2_web");
		assertThat(Names.shown("acme", "acme_")).isEqualTo("acme_");
		assertThat(Names.shown("acme", "acme")).isEqualTo("acme");
		assertThat(Names.defaultNetwork("acme")).isEqualTo("acme_bridge");
	}

	@Test
	void aContainerCreatedWithoutANameGetsOne() {
		String query = Names.namedCreate(null);
		assertThat(query).startsWith("name=");
		String name = URLDecoder.decode(query.substring(5), StandardCharsets.UTF_8);
		assertThat(name).matches("[a-z]+_[a-z]+[0-9]{4}");
		assertThat(Names.namedCreate("platform=linux&name=")).startsWith("platform=linux&name=").isNotEqualTo("platform=linux&name=");
		assertThat(Names.namedCreate("name=web")).isEqualTo("name=web");
		assertThat(Names.namedCreate("name=%2Fweb")).isEqualTo("name=%2Fweb");
	}

	@Test
	void containerNamesAreCheckedInTheEnginesWords() {
		assertThat(Ownership.createdName("/web")).isEqualTo("web");
		assertThat(Ownership.createdName("web.1_a-b")).isEqualTo("web.1_a-b");
		assertThatThrownBy(() -> Ownership.createdName("-x")).isInstanceOf(EngineError.class)
			.hasMessage("Invalid container name (-x), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
		assertThatThrownBy(() -> Ownership.createdName("a")).isInstanceOf(EngineError.class);
		assertThat(Ownership.newName("/web2")).isEqualTo("web2");
		assertThatThrownBy(() -> Ownership.newName("")).hasMessage("Neither old nor new names may be empty");
		assertThatThrownBy(() -> Ownership.newName("a")).hasMessage(
				"Error when allocating new name: Invalid container name (/a), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
	}

	@Test
	void volumeAndNetworkCreatesUseEngineSideNames() {
		ObjectNode volume = (ObjectNode) JSON.readTree("{\"Name\":\"data\",\"Labels\":{}}");
		ReferenceRules.volumeCreate("acme", volume);
		assertThat(volume.get("Name").asString()).isEqualTo("acme_data");
		ObjectNode unnamed = (ObjectNode) JSON.readTree("{}");
		ReferenceRules.volumeCreate("acme", unnamed);
		assertThat(unnamed.get("Name").asString()).matches("acme_[0-9a-f]{64}");
		assertThatThrownBy(() -> ReferenceRules.volumeCreate("acme", (ObjectNode) JSON.readTree("{\"Name\":\"x\"}")))
			.hasMessage("create x: volume name is too short, names should be at least two alphanumeric characters");
		assertThatThrownBy(() -> ReferenceRules.volumeCreate("acme", (ObjectNode) JSON.readTree("{\"Name\":\"-x\"}")))
			.hasMessageStartingWith("create -x: \"-x\" includes invalid characters for a local volume name");

		ObjectNode network = (ObjectNode) JSON.readTree("{\"Name\":\"net\",\"CheckDuplicate\":false}");
		ReferenceRules.networkCreate("acme", network);
		assertThat(network.toString()).isEqualTo("{\"Name\":\"acme_net\",\"CheckDuplicate\":true}");
		for (String predefined : new String[] { "bridge", "host", "none", "default" }) {
			assertThatThrownBy(() -> ReferenceRules.networkCreate("acme",
					(ObjectNode) JSON.readTree("{\"Name\":\"" + predefined + "\"}")))
				.isInstanceOf(EngineError.class)
				.hasMessage("operation is not permitted on predefined " + predefined + " network ");
		}
		assertThatThrownBy(() -> ReferenceRules.networkCreate("acme", (ObjectNode) JSON.readTree("{\"Name\":\"a b\"}")))
			.isInstanceOf(DockerApiException.class)
			.hasMessageStartingWith("berth: network names");
	}

	@Test
	void aliasesAreAddedOnce() {
		ObjectNode settings = (ObjectNode) JSON.readTree("{\"Aliases\":[\"svc\"]}");
		ReferenceRules.alias(settings, "web");
		ReferenceRules.alias(settings, "web");
		assertThat(settings.toString()).isEqualTo("{\"Aliases\":[\"svc\",\"web\"]}");
	}

	@Test
	void listFiltersAreInTheTenantsNamespace() {
		assertThat(Filters.scoped("{\"name\":[\"web\"],\"status\":[\"running\"]}", "acme", "GET /containers/json"))
			.as("name filters are applied by the view, never by the engine")
			.isEqualTo("{\"status\":{\"running\":true},\"label\":{\"berth.tenant=acme\":true}}");
		assertThat(Filters.scoped("{\"volume\":[\"data\",\"/data\"],\"network\":[\"net\"]}", "acme", "GET /containers/json"))
			.isEqualTo("{\"volume\":{\"data\":true,\"/data\":true,\"acme_data\":true},\"network\":{\"net\":true,"
					+ "\"acme_net\":true},\"label\":{\"berth.tenant=acme\":true}}");
		assertThat(Filters.scoped("{\"name\":{\"x\":true}}", "acme", "GET /volumes"))
			.isEqualTo("{\"label\":{\"berth.tenant=acme\":true}}");
		assertThat(Filters.scoped("{\"container\":[\"web\"]}", "acme", "GET /events"))
			.isEqualTo("{\"container\":{\"web\":true,\"acme_web\":true},\"label\":{\"berth.tenant=acme\":true}}");
		assertThat(Filters.scoped(null, "acme", "POST /networks/prune"))
			.as("the default network is never pruned")
			.isEqualTo("{\"label!\":{\"berth.network\":true},\"label\":{\"berth.tenant=acme\":true}}");
		assertThat(Filters.replaced("{\"before\":[\"web\"],\"status\":[\"exited\"]}", "before", java.util.List.of("c1")))
			.isEqualTo("{\"before\":{\"c1\":true},\"status\":{\"exited\":true}}");
		assertThat(Filters.values("{\"name\":{\"a\":true,\"b\":true}}", "name")).containsExactly("a", "b");
		assertThat(Filters.values(null, "name")).isNull();
	}

	@Test
	void queriesLoseAKey() {
		assertThat(Query.parse("limit=1&all=0&limit=2&filters=x").without("limit")).isEqualTo("all=0&filters=x");
		assertThat(Query.parse(null).without("limit")).isEmpty();
	}

}
