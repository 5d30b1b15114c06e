package berth.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import berth.testing.BerthTest;
import berth.testing.DockerCli.Result;

/** docker-compose 1.29 (DOCKER_HOST plus HttpHeaders in DOCKER_CONFIG) through Berth. */
@BerthTest
class ComposeIT extends CliTestSupport {

	@Test
	void upPsLogsDownWithANamedVolume() throws IOException, InterruptedException {
		String token = UUID.randomUUID().toString();
		Path dir = tempDir();
		Files.writeString(dir.resolve("docker-compose.yml"), """
				version: "2.4"
				services:
				  writer:
				    image: busybox
				    init: true
				    command: sh -c 'echo %1$s > /data/token && echo writer-wrote && exec sleep 300'
				    volumes:
				      - shared:/data
				  reader:
				    image: busybox
				    init: true
				    depends_on:
				      - writer
				    command: sh -c 'while [ ! -s /data/token ]; do sleep 0.2; done; echo reader-read $$(cat /data/token); exec sleep 300'
				    volumes:
				      - shared:/data:ro
				volumes:
				  shared:
				""".formatted(token));
		String project = prefix;

		Result up = cli.compose(dir, "-p", project, "up", "-d");
		assertSucceeded(up, "docker-compose up -d");
		assertThat(inspectOnEngine("{{.State.Status}}", onEngine(project + "_writer_1"))).isEqualTo("running");
		assertThat(inspectOnEngine("{{.State.Status}}", onEngine(project + "_reader_1"))).isEqualTo("running");
		assertThat(inspectOnEngine("{{.Name}}", onEngine(project + "_shared"))).as("the named volume on the engine")
			.isEqualTo(onEngine(project + "_shared"));

		Result ps = cli.compose(dir, "-p", project, "ps");
		assertSucceeded(ps, "docker-compose ps");
		assertThat(lines(ps.out())).as("docker-compose ps")
			.anySatisfy(line -> assertThat(line).startsWith(project + "_reader_1").contains(" Up"))
			.anySatisfy(line -> assertThat(line).startsWith(project + "_writer_1").contains(" Up"));

		String logs = "";
		Instant deadline = Instant.now().plusSeconds(20);
		while (!logs.contains("reader-read " + token) && Instant.now().isBefore(deadline)) {
			Result result = cli.compose(dir, "-p", project, "logs", "--no-color");
			assertSucceeded(result, "docker-compose logs");
			logs = result.out();
			Thread.sleep(300);
		}
		assertThat(logs).as("docker-compose logs of both services")
			.contains("writer_1  | writer-wrote")
			.contains("reader_1  | reader-read " + token);

		Result down = cli.compose(dir, "-p", project, "down", "-v", "-t", "1");
		assertSucceeded(down, "docker-compose down -v");
		assertThat(existsOnEngine(onEngine(project + "_writer_1"))).as("writer container after down").isFalse();
		assertThat(existsOnEngine(onEngine(project + "_reader_1"))).as("reader container after down").isFalse();
		assertThat(existsOnEngine(onEngine(project + "_shared"))).as("named volume after down -v").isFalse();
		assertThat(existsOnEngine(onEngine(project + "_default"))).as("project network after down").isFalse();
	}

}
