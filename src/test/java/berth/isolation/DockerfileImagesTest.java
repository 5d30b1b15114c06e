package berth.isolation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import berth.web.DockerApiException;

class DockerfileImagesTest {

	private static String rewrite(String dockerfile, Map<String, String> args) {
		byte[] out = DockerfileImages.rewrite(dockerfile.getBytes(StandardCharsets.UTF_8), args,
				ref -> Mono.just("<" + ref + ">"))
			.block();
		return new String(out, StandardCharsets.UTF_8);
	}

	@Test
	void resolvesBaseImagesAndCopySourcesButNotStages() {
		String dockerfile = """
				# syntax comment
				ARG BASE=busybox
				FROM --platform=linux/amd64 $BASE AS build
				RUN echo hi \\
				    && echo there
				from build
				COPY --from=build /a /b
				COPY --from=0 /a /b
				COPY --chown=1:1 --from=app:1 /x /y
				FROM scratch
				""";
		assertThat(rewrite(dockerfile, Map.of())).isEqualTo("""
				# syntax comment
				ARG BASE=busybox
				FROM --platform=linux/amd64 <busybox> AS build
				RUN echo hi \\
				    && echo there
				from build
				COPY --from=build /a /b
				COPY --from=0 /a /b
				COPY --chown=1:1 --from=<app:1> /x /y
				FROM scratch
				""");
	}

	@Test
	void buildArgumentsAndContinuationsAreReadLikeTheBuilderReadsThem() {
		assertThat(rewrite("ARG BASE=busybox\nFROM ${BASE}\n", Map.of("BASE", "evil"))).isEqualTo("FROM <evil>\n".replace(
				"FROM", "ARG BASE=busybox\nFROM"));
		assertThat(rewrite("FROM \\\n  busybox\nRUN true\n", Map.of())).isEqualTo("FROM <busybox>\nRUN true\n");
		assertThat(rewrite("# escape=`\nFROM `\n  busybox\n", Map.of())).isEqualTo("# escape=`\nFROM <busybox>\n");
	}

	@Test
	void refusesWhatItCannotResolve() {
		assertThatThrownBy(() -> rewrite("FROM ${BASE:-busybox}\n", Map.of())).isInstanceOf(DockerApiException.class);
		assertThatThrownBy(() -> rewrite("FROM busybox\nCOPY --from=$X /a /b\n", Map.of()))
			.isInstanceOf(DockerApiException.class);
	}

}
