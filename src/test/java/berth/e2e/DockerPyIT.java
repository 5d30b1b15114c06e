package berth.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import berth.testing.BerthTest;
import berth.testing.DockerCli;
import berth.testing.DockerCli.Result;

/**
 * docker-py, the Python client library (Debian's {@code python3-docker}, {@code /usr/bin/python3}),
 * through Berth: the suite in {@code src/test/python} (containers, exec plain and through raw
 * sockets, attach, images, volumes, networks, events, logs, swarm and plugin probes) run against this
 * Berth with the tenant's key in {@code DOCKER_CONFIG}'s HttpHeaders, as a user configures it. Any
 * failure there fails this test, with the suite's report.
 */
@BerthTest
class DockerPyIT extends CliTestSupport {

	static final Path SUITE = Path.of("src/test/python");

	@Test
	void theDockerPySuitePasses() {
		assertThat(Files.isRegularFile(SUITE.resolve("test_docker_py.py"))).as("the suite is in the project").isTrue();
		DockerCli python = DockerCli.forKey(port, tenant.key())
			.env("BERTH_DOCKER_HOST", "tcp://127.0.0.1:" + port)
			.env("BERTH_KEY", tenant.key())
			.env("BERTH_DOMAIN", "berth.localhost")
			.env("BERTH_PREFIX", prefix)
			.env("BERTH_REGISTRY", "127.0.0.1:5000")
			.env("PYTHONDONTWRITEBYTECODE", "1");
		// Debian's python3-docker belongs to the system's python3, not to whatever python3 comes first on PATH
		Result run = python.exec(null, Duration.ofMinutes(8), "/usr/bin/python3", "-W", "ignore::ResourceWarning", "-m",
				"unittest", "discover", "-v", "-s", SUITE.toString(), "-p", "test_*.py");
		assertThat(run.exitCode()).as("docker-py suite:\n%s%s", run.out(), run.err()).isZero();
		assertThat(run.err()).as("every test ran").contains("OK").doesNotContain("skipped");
		assertThat(run.err()).containsPattern("Ran (2[0-9]|[3-9][0-9]) tests");
	}

	@Test
	void theCliLooksUpAMissingNameToTheEnginesNoSuchObject() {
		Result missing = docker("inspect", name("nosuchthing"));
		assertThat(missing.exitCode()).isNotZero();
		assertThat(missing.err()).contains("No such object: " + name("nosuchthing")).doesNotContain("berth:");
		Result plugins = ok("plugin", "ls", "--format", "{{.Name}}");
		assertThat(plugins.trimmed()).as("an engine with no plugins").isEmpty();
		Result leave = docker("swarm", "leave", "--force");
		assertThat(leave.err()).contains("This node is not part of a swarm").doesNotContain("berth:");
		Result init = docker("swarm", "init");
		assertThat(init.exitCode()).isNotZero();
		assertThat(init.err()).contains("berth: swarm is not available to tenants (policy rule: endpoint)");
		assertThat(engine.docker("info", "--format", "{{.Swarm.LocalNodeState}}").trimmed())
			.as("the engine stayed out of swarm mode").isEqualTo("inactive");
	}

}
