package berth.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A second Docker engine of the test's own, for a tenant served by an engine that is its alone: its
 * own {@code --data-root}, {@code --exec-root}, socket and pidfile under a temporary directory, and a
 * bridge of its own ({@code berthown<pid>}, 10.253.N.1/24; networks it creates come from
 * 10.254.0.0/16). It never touches the host's engine or its {@code docker0}, and sets up no iptables
 * rules (containers reach nothing outside, which no test needs). {@link #close} stops it and removes
 * its bridge and directories.
 */
public final class OwnDockerd implements AutoCloseable {

	private final Path root;

	private final String bridge;

	private final Process process;

	private final DockerCli cli;

	private OwnDockerd(Path root, String bridge, Process process) {
		this.root = root;
		this.bridge = bridge;
		this.process = process;
		this.cli = new DockerCli(host(), null);
	}

	/** Starts an engine and waits until it answers; {@code images} are copied into it from the host's engine. */
	public static OwnDockerd start(String... images) {
		long pid = ProcessHandle.current().pid();
		String bridge = "berthown" + (pid % 100000);
		int subnet = (int) (pid % 250) + 1;
		Path root;
		try {
			root = Files.createTempDirectory("berth-own-dockerd");
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		run("ip", "link", "add", "name", bridge, "type", "bridge");
		OwnDockerd started = null;
		try {
			run("ip", "addr", "add", "10.253." + subnet + ".1/24", "dev", bridge);
			run("ip", "link", "set", bridge, "up");
			List<String> command = new ArrayList<>(List.of("dockerd", "--data-root", root.resolve("data").toString(),
					"--exec-root", root.resolve("exec").toString(), "--pidfile", root.resolve("docker.pid").toString(),
					"-H", "unix://" + root.resolve("docker.sock"), "--bridge", bridge, "--iptables=false",
					"--ip-masq=false", "--ip-forward=false", "--storage-driver=vfs", "--default-address-pool",
					"base=10.254.0.0/16,size=24"));
			Process process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(root.resolve("dockerd.log").toFile())
				.start();
			started = new OwnDockerd(root, bridge, process);
			started.awaitReady();
			for (String image : images) {
				started.copy(image);
			}
			return started;
		}
		catch (IOException | RuntimeException e) {
			if (started != null) {
				started.close();
			}
			else {
				run("ip", "link", "del", bridge);
				deleteTree(root);
			}
			throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
		}
	}

	/** The engine's address, as {@code DOCKER_HOST} or {@code berth.backend.docker-host} takes it. */
	public String host() {
		return "unix://" + root.resolve("docker.sock");
	}

	/** The docker CLI on this engine directly, to see what really exists there. */
	public DockerCli cli() {
		return cli;
	}

	private void awaitReady() {
		long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
		while (System.nanoTime() < deadline) {
			if (!process.isAlive()) {
				throw new IllegalStateException("the engine of the test's own exited: " + log());
			}
			if (cli.docker("version", "--format", "{{.Server.Version}}").exitCode() == 0) {
				return;
			}
			sleep(250);
		}
		throw new IllegalStateException("the engine of the test's own did not answer within 60 s: " + log());
	}

	/** Copies an image from the host's engine: {@code docker save | docker load}. */
	private void copy(String image) {
		Path tar = root.resolve("image.tar");
		DockerCli.engine().docker("save", "-o", tar.toString(), image).assertOk();
		cli.docker("load", "-i", tar.toString()).assertOk();
		tar.toFile().delete();
	}

	private String log() {
		try {
			String log = Files.readString(root.resolve("dockerd.log"));
			return log.length() > 4000 ? log.substring(log.length() - 4000) : log;
		}
		catch (IOException e) {
			return "(no log)";
		}
	}

	@Override
	public void close() {
		process.destroy();
		try {
			if (!process.waitFor(30, TimeUnit.SECONDS)) {
				process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
		run("ip", "link", "del", bridge);
		// mounts dockerd left (a killed one) would keep the tree from going
		run("sh", "-c", "grep -o ' " + root + "[^ ]*' /proc/self/mounts | sort -r | xargs -r -n1 umount -l");
		deleteTree(root);
	}

	private static void run(String... command) {
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
			byte[] output = process.getInputStream().readAllBytes();
			if (process.waitFor() != 0 && !command[0].equals("sh") && !command[2].equals("del")) {
				throw new IllegalStateException(String.join(" ", command) + ": " + new String(output));
			}
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(e);
		}
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(e);
		}
	}

	private static void deleteTree(Path root) {
		if (!Files.exists(root)) {
			return;
		}
		try (var paths = Files.walk(root)) {
			paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
		}
		catch (IOException e) {
			// left for the system's temporary-file cleanup
		}
	}

}
