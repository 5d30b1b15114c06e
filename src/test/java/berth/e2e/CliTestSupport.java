package berth.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.test.web.server.LocalServerPort;

import berth.testing.Admin;
import berth.testing.Admin.TenantKey;
import berth.testing.BerthTest;
import berth.testing.DockerCli;
import berth.testing.DockerCli.Result;

/**
 * Base of the end-to-end suite: a running Berth, a tenant with a key of its own, the real docker CLI
 * pointed at Berth with that key ({@link #cli}), and the CLI pointed at the engine directly
 * ({@link #engine}) to check what really happened and to clean up. Every engine object a test
 * creates carries {@link #prefix} in its name (or is registered with {@link #image}), and is removed
 * after the class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class CliTestSupport {

	static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

	@LocalServerPort
	int port;

	Admin admin;

	TenantKey tenant;

	/** The docker CLI as a tenant uses it: through Berth with the tenant's key. */
	DockerCli cli;

	/** The docker CLI on the engine's own socket, for checks and cleanup. */
	final DockerCli engine = DockerCli.engine();

	/** Unique to this class run, lowercase: names of containers, volumes, networks, images. */
	final String prefix = Admin
		.uniqueName("e2e-" + getClass().getSimpleName().replaceFirst("IT$", "").toLowerCase(Locale.ROOT));

	private final List<String> images = new ArrayList<>();

	private final List<Path> tempDirs = new ArrayList<>();

	@BeforeAll
	void tenantAndCli() {
		admin = new Admin(port);
		tenant = admin.newTenant("e2e");
		cli = DockerCli.forKey(port, tenant.key());
		// The CLI has no buildx plugin: name the legacy builder instead of relying on the fallback.
		cli.env("DOCKER_BUILDKIT", "0");
	}

	@AfterAll
	void cleanUpEngineAndTenant() {
		List<String> containers = lines(engine.docker("ps", "-aq", "--filter", "name=" + prefix).out());
		if (!containers.isEmpty()) {
			engine.docker(concat(List.of("rm", "-f", "-v"), containers));
		}
		List<String> volumes = lines(engine.docker("volume", "ls", "-q", "--filter", "name=" + prefix).out());
		if (!volumes.isEmpty()) {
			engine.docker(concat(List.of("volume", "rm", "-f"), volumes));
		}
		List<String> networks = lines(engine.docker("network", "ls", "-q", "--filter", "name=" + prefix).out());
		if (!networks.isEmpty()) {
			engine.docker(concat(List.of("network", "rm"), networks));
		}
		List<String> tagged = lines(engine.docker("images", "--format", "{{.Repository}}:{{.Tag}}").out()).stream()
			.filter(reference -> reference.contains(prefix))
			.toList();
		List<String> all = new ArrayList<>(images);
		all.addAll(tagged);
		if (!all.isEmpty()) {
			engine.docker(concat(List.of("rmi", "-f"), all));
		}
		if (tenant != null) {
			engine.removeOwnedBy(tenant.tenant());
			admin.call("DELETE", "/api/v1/tenants/" + tenant.tenant(), null);
		}
		tempDirs.forEach(CliTestSupport::deleteTree);
	}

	/** A name for an engine object, unique to this class run. */
	String name(String what) {
		return prefix + "-" + what;
	}

	/** The engine-side name of the tenant's container, volume or network (berth.isolation.Names). */
	String onEngine(String name) {
		return tenant.tenant() + "_" + name;
	}

	/** Registers an image (name or id) for removal after the class. */
	String image(String reference) {
		images.add(reference);
		return reference;
	}

	/** Runs the docker CLI through Berth. */
	Result docker(String... args) {
		return docker(cli, args);
	}

	/** Runs the given docker CLI, with the suite's time limit. */
	static Result docker(DockerCli client, String... args) {
		return client.exec(null, COMMAND_TIMEOUT, concat(List.of("docker"), List.of(args)));
	}

	/** Runs the docker CLI through Berth and insists on exit code 0. */
	Result ok(String... args) {
		Result result = docker(args);
		assertSucceeded(result, "docker " + String.join(" ", args));
		return result;
	}

	/** Runs a bash command line (pipes allowed, pipefail) in the CLI's environment, i.e. through Berth. */
	Result shell(String commandLine) {
		return cli.exec(null, COMMAND_TIMEOUT, "/bin/bash", "-o", "pipefail", "-c", commandLine);
	}

	static void assertSucceeded(Result result, String what) {
		assertThat(result.exitCode())
			.as("exit code of `%s`%nstdout: %s%nstderr: %s", what, result.out(), result.err())
			.isZero();
	}

	/** Starts the docker CLI through Berth and lets the test read its output as it arrives. */
	LiveCommand live(String... args) {
		return LiveCommand.start(cli, port, args);
	}

	/** What the engine itself says, e.g. {@code inspectOnEngine("{{.State.Status}}", id)}. */
	String inspectOnEngine(String format, String object) {
		Result result = engine.docker("inspect", "--format", format, object);
		assertSucceeded(result, "docker inspect on the engine of " + object);
		return result.trimmed();
	}

	boolean existsOnEngine(String object) {
		return engine.docker("inspect", object).exitCode() == 0;
	}

	Path tempDir() {
		try {
			Path dir = Files.createTempDirectory(prefix);
			tempDirs.add(dir);
			return dir;
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	static List<String> lines(String text) {
		return text.lines().map(String::trim).filter(line -> !line.isEmpty()).toList();
	}

	static String[] concat(List<String> first, List<String> rest) {
		List<String> all = new ArrayList<>(first);
		all.addAll(rest);
		return all.toArray(String[]::new);
	}

	static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	static String sha256(Path file) {
		try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
			in.transferTo(java.io.OutputStream.nullOutputStream());
			return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
	}

	static String sha256(byte[] bytes) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
		}
		catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
	}

	/** The hash column of {@code sha256sum} output. */
	static String hashOf(String sha256sumOutput) {
		String trimmed = sha256sumOutput.trim();
		int space = trimmed.indexOf(' ');
		return space < 0 ? trimmed : trimmed.substring(0, space);
	}

	private static void deleteTree(Path dir) {
		try (Stream<Path> paths = Files.walk(dir)) {
			paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
		}
		catch (IOException e) {
			// best effort
		}
	}

}
