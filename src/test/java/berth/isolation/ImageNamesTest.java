package berth.isolation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

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
	void anUnnamedImagesTagIsItsMakersAndShownAsNone() {
		String repository = ImageNames.unnamedRepository("acme");
		assertThat(repository).startsWith("berth.local/acme/u/").isNotEqualTo(ImageNames.unnamedRepository("acme"));
		assertThat(ImageNames.parse(repository + ":latest")).as("a valid engine reference").isPresent();
		assertThat(ImageNames.owner(repository + ":latest")).contains("acme");
		assertThat(ImageNames.decode("acme", repository + ":latest")).isEmpty();
		assertThat(ImageNames.decodeAny(repository + ":latest")).isEmpty();
		assertThat(ImageNames.shown("acme", repository + ":latest")).contains("<none>");
		assertThat(ImageNames.shown("other", repository + ":latest")).isEmpty();
		assertThat(ImageNames.decodeAll("acme", "unable to remove repository reference \"" + repository
				+ ":latest\" (must force) - and berth.local/acme/d/app:1")).isEqualTo(
						"unable to remove repository reference \"<none>\" (must force) - and app:1");
		assertThat(ImageNames.decodeAll("other", repository)).isEqualTo(repository);
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
