package berth.isolation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import berth.web.DockerApiException;

/** Which named volumes a create body uses, as the engine would read them. */
class OwnershipReferencesTest {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static ObjectNode hostConfig(String json) {
		return (ObjectNode) JSON.readTree(json);
	}

	@Test
	void namedVolumesComeFromBindsAndVolumeMounts() {
		ObjectNode hostConfig = hostConfig("""
				{"Binds":["data:/data","/host:/h","cache:/c:ro","anonymous"],
				 "Mounts":[{"Type":"volume","Source":"logs","Target":"/l"},{"Type":"volume","Target":"/anon"},
				           {"Type":"tmpfs","Target":"/t"}]}""");
		assertThat(ReferenceRules.namedVolumes(hostConfig)).containsExactly("data", "cache", "logs");
	}

	@Test
	void mountsCannotLabelTheVolumeForSomeoneElse() {
		ObjectNode hostConfig = hostConfig("""
				{"Mounts":[{"Type":"volume","Source":"v","Target":"/v",
				            "VolumeOptions":{"Labels":{"berth.tenant":"victim"}}}]}""");
		assertThatThrownBy(() -> ReferenceRules.namedVolumes(hostConfig)).isInstanceOf(DockerApiException.class)
			.hasMessageContaining("labels under berth. are reserved");
	}

	@Test
	void engineWordingHasNoBerthPrefix() {
		assertThat(Ownership.Kind.CONTAINER.missing("web").getMessage()).isEqualTo("No such container: web");
		assertThat(Ownership.Kind.VOLUME.missing("data").getMessage()).isEqualTo("get data: no such volume");
		assertThat(Ownership.Kind.NETWORK.missing("net").getMessage()).isEqualTo("network net not found");
		assertThat(Ownership.Kind.EXEC.missing("abc").getMessage()).isEqualTo("No such exec instance: abc");
	}

}
