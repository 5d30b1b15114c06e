package berth.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import berth.testing.DockerCli;

/**
 * A docker CLI command whose output the test reads while it runs (logs -f, events), to prove that
 * Berth streams instead of buffering until the end. Standard error is merged into the lines.
 */
final class LiveCommand implements AutoCloseable {

	private final Process process;

	private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

	private final List<String> seen = new ArrayList<>();

	private final String description;

	private final Thread reader;

	private LiveCommand(Process process, String description) {
		this.process = process;
		this.description = description;
		reader = new Thread(this::pump, "live-" + process.pid());
		reader.setDaemon(true);
		reader.start();
	}

	static LiveCommand start(DockerCli cli, int port, String... args) {
		List<String> command = new ArrayList<>();
		command.add("docker");
		command.addAll(List.of(args));
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
		builder.environment().clear();
		builder.environment().put("DOCKER_HOST", "tcp://127.0.0.1:" + port);
		builder.environment().put("DOCKER_CONFIG", cli.configDir().toString());
		builder.environment().put("PATH", "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
		builder.environment().put("HOME", System.getProperty("user.home"));
		try {
			return new LiveCommand(builder.start(), String.join(" ", command));
		}
		catch (IOException e) {
			throw new java.io.UncheckedIOException(e);
		}
	}

	private void pump() {
		try (BufferedReader reader = new BufferedReader(
				new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
			String line;
			while ((line = reader.readLine()) != null) {
				lines.add(line);
			}
		}
		catch (IOException e) {
			lines.add("<read failed: " + e + ">");
		}
	}

	/** Waits for a line that matches; fails with everything seen so far if none comes in time. */
	String awaitLine(Predicate<String> match, Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		try {
			while (true) {
				long left = deadline - System.nanoTime();
				String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
				if (line == null) {
					throw new AssertionError("no matching line within " + timeout + " from `" + description
							+ "` (alive: " + process.isAlive() + "); lines so far: " + seen);
				}
				seen.add(line);
				if (match.test(line)) {
					return line;
				}
			}
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new AssertionError(e);
		}
	}

	boolean isAlive() {
		return process.isAlive();
	}

	/** Waits for the command to end by itself; fails if it does not. Returns its exit code. */
	int awaitExit(Duration timeout) {
		try {
			if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
				throw new AssertionError("`" + description + "` still running after " + timeout + "; lines: " + seen
						+ " " + lines);
			}
			reader.join(5_000);
			return process.exitValue();
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new AssertionError(e);
		}
	}

	/** Every line read so far, including those not yet consumed by {@link #awaitLine}. */
	List<String> allLines() {
		List<String> all = new ArrayList<>(seen);
		all.addAll(lines);
		return all;
	}

	@Override
	public void close() {
		process.descendants().forEach(ProcessHandle::destroyForcibly);
		process.destroyForcibly();
	}

}
