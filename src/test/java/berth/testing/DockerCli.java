package berth.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The real docker CLI (and docker-compose), pointed at Berth with a tenant's key the way a user
 * configures it: {@code DOCKER_HOST=tcp://127.0.0.1:<port>} and {@code HttpHeaders} in a
 * {@code config.json} of its own {@code DOCKER_CONFIG}.
 */
public final class DockerCli {

	public record Result(int exitCode, String out, String err) {

		public Result assertOk() {
			if (exitCode != 0) {
				throw new AssertionError("exit " + exitCode + "\nstdout: " + out + "\nstderr: " + err);
			}
			return this;
		}

		public String trimmed() {
			return out.trim();
		}

	}

	/** Every config directory this JVM made, removed when it exits. */
	private static final java.util.Queue<Path> CONFIG_DIRS = new java.util.concurrent.ConcurrentLinkedQueue<>();

	static {
		Runtime.getRuntime().addShutdownHook(new Thread(() -> CONFIG_DIRS.forEach(DockerCli::deleteTree)));
	}

	private final Map<String, String> env = new HashMap<>();

	private final Path config;

	/** A CLI that talks to Berth on the given port with the given key in config.json. */
	public static DockerCli forKey(int port, String key) {
		return new DockerCli("tcp://127.0.0.1:" + port, key);
	}

	/** A CLI that talks to the engine directly, to inspect what really exists. */
	public static DockerCli engine() {
		return new DockerCli("unix:///var/run/docker.sock", null);
	}

	public DockerCli(String dockerHost, String key) {
		try {
			config = Files.createTempDirectory("docker-config");
			CONFIG_DIRS.add(config);
			String json = key == null ? "{}" : "{\"HttpHeaders\":{\"Authorization\":\"Bearer " + key + "\"}}";
			Files.writeString(config.resolve("config.json"), json);
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		env.put("DOCKER_HOST", dockerHost);
		env.put("DOCKER_CONFIG", config.toString());
		env.put("PATH", "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
		env.put("HOME", System.getProperty("user.home"));
	}

	public Path configDir() {
		return config;
	}

	public DockerCli env(String name, String value) {
		env.put(name, value);
		return this;
	}

	public Result docker(String... args) {
		return exec(null, Duration.ofMinutes(3), prepend("docker", args));
	}

	public Result dockerWithInput(byte[] stdin, String... args) {
		return exec(stdin, Duration.ofMinutes(3), prepend("docker", args));
	}

	/**
	 * On the engine's own CLI: removes every container, network and volume a tenant owns (its
	 * default network included), whatever their names.
	 */
	public void removeOwnedBy(String tenant) {
		String label = "label=berth.tenant=" + tenant;
		for (String[] kind : new String[][] { { "ps", "-aq" }, { "network", "ls", "-q" }, { "volume", "ls", "-q" } }) {
			List<String> list = new ArrayList<>(List.of(kind));
			list.addAll(List.of("--filter", label));
			String owned = docker(list.toArray(String[]::new)).trimmed();
			if (owned.isEmpty()) {
				continue;
			}
			List<String> rm = new ArrayList<>(kind[0].equals("ps") ? List.of("rm", "-f", "-v") : List.of(kind[0], "rm"));
			rm.addAll(List.of(owned.split("\\s+")));
			docker(rm.toArray(String[]::new));
		}
	}

	public Result compose(Path dir, String... args) {
		return exec(null, Duration.ofMinutes(3), dir, prepend("docker-compose", args));
	}

	public Result exec(byte[] stdin, Duration timeout, String... command) {
		return exec(stdin, timeout, null, command);
	}

	/** Runs a command under {@code script} so that it gets a real terminal (for {@code -t}). */
	public Result withTty(String commandLine) {
		return exec(null, Duration.ofMinutes(1), "script", "-qfec", commandLine, "/dev/null");
	}

	private Result exec(byte[] stdin, Duration timeout, Path dir, String... command) {
		ProcessBuilder builder = new ProcessBuilder(command);
		builder.environment().clear();
		builder.environment().putAll(env);
		if (dir != null) {
			builder.directory(dir.toFile());
		}
		try {
			Process process = builder.start();
			CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
			CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
			try (OutputStream in = process.getOutputStream()) {
				if (stdin != null) {
					in.write(stdin);
				}
			}
			if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
				process.descendants().forEach(ProcessHandle::destroyForcibly);
				process.destroyForcibly();
				throw new AssertionError("timed out after " + timeout + ": " + String.join(" ", command));
			}
			return new Result(process.exitValue(), new String(out.join(), StandardCharsets.UTF_8),
					new String(err.join(), StandardCharsets.UTF_8));
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new AssertionError(e);
		}
	}

	private static void deleteTree(Path root) {
		try (var paths = Files.walk(root)) {
			paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
		}
		catch (IOException | UncheckedIOException e) {
			// a temp directory left behind is harmless
		}
	}

	private static byte[] readAll(InputStream stream) {
		try (stream; ByteArrayOutputStream out = new ByteArrayOutputStream()) {
			stream.transferTo(out);
			return out.toByteArray();
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	private static String[] prepend(String first, String... rest) {
		List<String> all = new ArrayList<>();
		all.add(first);
		all.addAll(List.of(rest));
		return all.toArray(String[]::new);
	}

}
