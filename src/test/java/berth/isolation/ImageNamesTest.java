package berth.isolation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;

import berth.web.DockerApiException;

class ImageNamesTest {

	@ParameterizedTest
	@CsvSource({ "busybox, busybox, busybox:latest", "library/busybox:1, busybox, busybox:1",
			"docker.io/library/busybox, busybox, busybox:latest", "acme/app:2, acme/app, acme/app:2",
			"127.0.0.1:5000/x/y:2, 127.0.0.1:5000/x/y, 127.0.0.1:5000/x/y:2",
			"localhost/app, localhost/app, localhost/app:latest" })
	void parsesReferencesToTheirFamiliarForm(String given, String repository, String tagged) {
		ImageNames.Ref ref = ImageNames.parse(given).orElseThrow();
		assertThat(ref.repository()).isEqualTo(repository);
		assertThat(ref.withDefaultTag()).hasToString(tagged);
	}

	@ParameterizedTest
	@CsvSource({ "Busybox", "a//b", "app:", ":1", "app:-x", "a@sha256:123", "-app" })
	void refusesWhatTheEngineRefuses(String given) {
		assertThat(ImageNames.parse(given)).isEmpty();
	}

	@ParameterizedTest
	@CsvSource({ "app:1, berth.local/acme/d/app:1", "busybox, berth.local/acme/d/busybox:latest",
			"127.0.0.1:5000/x/y:2, berth.local/acme/r/127.0.0.1__5000/x/y:2",
			"localhost:5000/x:3, berth.local/acme/r/localhost__5000/x:3", "a__b/c:1, berth.local/acme/d/a__b/c:1",
			"my-reg.example.com/team/app:v1, berth.local/acme/r/my-reg.example.com/team/app:v1" })
	void encodesAndDecodesBothWays(String tenantForm, String engineForm) {
		ImageNames.Ref ref = ImageNames.parse(tenantForm).orElseThrow();
		String engine = ImageNames.engineTag("acme", ref);
		assertThat(engine).isEqualTo(engineForm);
		assertThat(ImageNames.parse(engine)).as("a valid engine reference").isPresent();
		assertThat(ImageNames.decode("acme", engine)).contains(ref.withDefaultTag().toString());
		assertThat(ImageNames.decode("other", engine)).as("not in another tenant's namespace").isEmpty();
		assertThat(ImageNames.owner(engine)).contains("acme");
		assertThat(ImageNames.decodeAll("acme", "Successfully tagged " + engine + "\n"))
			.isEqualTo("Successfully tagged " + ref.withDefaultTag() + "\n");
	}

	@Test
	void sharedNamesHaveNoOwner() {
		assertThat(ImageNames.owner("busybox:latest")).isEmpty();
		assertThat(ImageNames.decode("acme", "127.0.0.1:5000/x:1")).isEmpty();
		assertThat(ImageNames.reserved("berth.local/acme/d/x:1")).isTrue();
		assertThat(ImageNames.reserved("berth.localx/y")).isFalse();
	}

	@Test
	void anUnnamedImagesTagIsItsMakersAndNeverShown() {
		String repository = ImageNames.unnamedRepository("acme");
		assertThat(repository).startsWith("berth.local/acme/u/").isNotEqualTo(ImageNames.unnamedRepository("acme"));
		assertThat(ImageNames.parse(repository + ":latest")).as("a valid engine reference").isPresent();
		assertThat(ImageNames.owner(repository + ":latest")).contains("acme");
		assertThat(ImageNames.decode("acme", repository + ":latest")).isEmpty();
		assertThat(ImageNames.decodeAny(repository + ":latest")).isEmpty();
		assertThat(Images.usable("acme", tags(repository + ":latest"))).isTrue();
		assertThat(Images.usable("other", tags(repository + ":latest"))).isFalse();
		assertThat(Images.tenantTags("acme", tags(repository + ":latest"), true)).isEmpty();
		assertThat(Images.unnamed("acme", tags("berth.local/acme/d/app:1", repository + ":latest"))).isTrue();
		assertThat(Images.unnamed("other", tags(repository + ":latest"))).isFalse();

		NameStream stream = new NameStream("acme");
		byte[] out = stream.feed(("{\"stream\":\"Successfully built 0123456789ab\\n\"}\r\n"
				+ "{\"stream\":\"Successfully tagged " + repository + ":latest\\n\"}\r\n")
			.getBytes(StandardCharsets.UTF_8));
		assertThat(new String(out, StandardCharsets.UTF_8)).contains("Successfully built").doesNotContain("tagged");
	}

	private static JsonNode tags(String... tags) {
		ArrayNode array = JsonMapper.builder().build().createArrayNode();
		for (String tag : tags) {
			array.add(tag);
		}
		return array;
	}

	@Test
	void respectsTheEnginesLengthLimitAndRefusesTheReservedRegistry() {
		ImageNames.Ref longest = ImageNames.parse("a".repeat(250)).orElseThrow();
		assertThatThrownBy(() -> ImageNames.engineTag("acme", longest)).isInstanceOf(DockerApiException.class)
			.hasMessageContaining("must not be more than");
		ImageNames.Ref reserved = ImageNames.parse("berth.local/acme/d/x:1").orElseThrow();
		assertThatThrownBy(() -> ImageNames.engineTag("acme", reserved)).isInstanceOf(DockerApiException.class);
		ImageNames.Ref upper = ImageNames.parse("Reg.example/x:1").orElseThrow();
		assertThatThrownBy(() -> ImageNames.engineTag("acme", upper)).isInstanceOf(DockerApiException.class);
	}

}
