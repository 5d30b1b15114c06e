package berth.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import berth.backend.proxmox.ProxmoxSimulator;

/**
 * The real part of a simulated VM: a network namespace of the test's own, joined to the host by a /30
 * veth pair in 10.213.0.0/16, with a dockerd of its own inside (own data root, exec root, socket,
 * pidfile and bridge {@code 192.168.20x.1/24}), listening on the namespace's address, port 2376, with
 * {@code --tlsverify}: it trusts the client CA Berth's certificate comes from, and shows a server
 * certificate of the engine CA for its address. Busybox is loaded into each from the host engine.
 * A halted machine keeps its data root (a stopped VM keeps its disk); {@link #close()} removes
 * everything.
 */
public final class VmMachines implements ProxmoxSimulator.Machines, AutoCloseable {

	private record Machine(int index, String namespace, String address, Path dir, Process dockerd) {
	}

	private static final AtomicInteger NEXT = new AtomicInteger();

	private final Path dir;

	private final TestPki engineCa;

	private final TestPki clientCa;

	private final String prefix;

	private final Map<Integer, Machine> machines = new ConcurrentHashMap<>();

	private final Map<Integer, Integer> indexes = new ConcurrentHashMap<>();

	/**
	 * @param engineCa signs the engines' server certificates (Berth verifies them against it)
	 * @param clientCa the CA whose client certificates the engines accept (Berth's comes from it)
	 */
	public VmMachines(Path dir, TestPki engineCa, TestPki clientCa) {
		this.dir = dir;
		this.engineCa = engineCa;
		this.clientCa = clientCa;
		// short: veth names have at most 15 characters
		this.prefix = "b" + Long.toString(ProcessHandle.current().pid() % 1000, 36) + (char) ('a' + NEXT.getAndIncrement() % 26);
	}

	@Override
	public Mono<String> boot(int vmid, @Nullable String staticAddress) {
		return Mono.fromCallable(() -> start(vmid)).subscribeOn(Schedulers.boundedElastic());
	}

	@Override
	public Mono<Void> halt(int vmid) {
		return Mono.fromRunnable(() -> stop(vmid)).subscribeOn(Schedulers.boundedElastic()).then();
	}

	/** The machine's engine, for the test's own checks (its unix socket, no TLS). */
	public DockerCli engine(int vmid) {
		Machine machine = machines.get(vmid);
		if (machine == null) {
			throw new IllegalStateException("VM " + vmid + " is not running");
		}
		return new DockerCli("unix://" + machine.dir().resolve("docker.sock"), null);
	}

	public String address(int vmid) {
		return machines.get(vmid).address();
	}

	public int running() {
		return machines.size();
	}

	private synchronized String start(int vmid) throws IOException, InterruptedException {
		Machine existing = machines.get(vmid);
		if (existing != null) {
			return existing.address();
		}
		int index = indexes.computeIfAbsent(vmid, v -> indexes.size() + 1);
		int subnet = (int) (ProcessHandle.current().pid() % 60) * 4 + index;
		String hostAddress = "10.213." + subnet + ".1";
		String address = "10.213." + subnet + ".2";
		String namespace = prefix + "n" + index;
		String hostVeth = prefix + "h" + index;
		String vmVeth = prefix + "v" + index;
		Path home = dir.resolve("vm-" + vmid);
		Files.createDirectories(home);
		run("ip", "netns", "add", namespace);
		run("ip", "link", "add", hostVeth, "type", "veth", "peer", "name", vmVeth);
		run("ip", "link", "set", vmVeth, "netns", namespace);
		run("ip", "addr", "add", hostAddress + "/30", "dev", hostVeth);
		run("ip", "link", "set", hostVeth, "up");
		run("ip", "netns", "exec", namespace, "ip", "link", "set", "lo", "up");
		run("ip", "netns", "exec", namespace, "ip", "addr", "add", address + "/30", "dev", vmVeth);
		run("ip", "netns", "exec", namespace, "ip", "link", "set", vmVeth, "up");
		run("ip", "netns", "exec", namespace, "ip", "route", "add", "default", "via", hostAddress);
		TestPki.Issued server = engineCa.server("engine-" + vmid, address);
		Process dockerd = new ProcessBuilder("nsenter", "--net=/run/netns/" + namespace, "dockerd", "--data-root",
				home.resolve("data").toString(), "--exec-root", home.resolve("exec").toString(), "--pidfile",
				home.resolve("docker.pid").toString(), "-H", "unix://" + home.resolve("docker.sock"), "-H",
				"tcp://" + address + ":2376", "--tlsverify", "--tlscacert", clientCa.caFile().toString(), "--tlscert",
				server.certificateFile().toString(), "--tlskey", server.keyFile().toString(), "--bip",
				"192.168." + (200 + index % 50) + ".1/24")
			.redirectErrorStream(true)
			.redirectOutput(home.resolve("dockerd.log").toFile())
			.start();
		Machine machine = new Machine(index, namespace, address, home, dockerd);
		machines.put(vmid, machine);
		// not DockerCli: its output readers run on the common pool, which the test's own commands can hold
		String socket = "unix://" + home.resolve("docker.sock");
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		String version;
		while ((version = attempt("docker", "-H", socket, "version", "--format", "{{.Server.Version}}")) != null) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("the dockerd of VM " + vmid + " did not answer: " + version);
			}
			Thread.sleep(200);
		}
		if (attempt("docker", "-H", socket, "image", "inspect", "busybox") != null) {
			Process load = new ProcessBuilder("sh", "-c",
					"docker save busybox | docker -H unix://" + home.resolve("docker.sock") + " load")
				.redirectErrorStream(true)
				.start();
			String out = new String(load.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (!load.waitFor(60, TimeUnit.SECONDS) || load.exitValue() != 0) {
				throw new IllegalStateException("could not load busybox into VM " + vmid + ": " + out);
			}
		}
		return address;
	}

	private synchronized void stop(int vmid) {
		Machine machine = machines.remove(vmid);
		if (machine == null) {
			return;
		}
		// nsenter may have forked: the daemon's own pid is in its pidfile
		Path pidfile = machine.dir().resolve("docker.pid");
		try {
			long pid = Long.parseLong(Files.readString(pidfile).trim());
			ProcessHandle.of(pid).ifPresent(daemon -> {
				daemon.destroy();
				try {
					daemon.onExit().get(20, TimeUnit.SECONDS);
				}
				catch (Exception e) {
					daemon.destroyForcibly();
				}
			});
		}
		catch (IOException | NumberFormatException e) {
			// never started
		}
		machine.dockerd().destroy();
		quietly("ip", "netns", "del", machine.namespace());
		quietly("ip", "link", "del", prefix + "h" + machine.index());
	}

	@Override
	public void close() {
		for (Integer vmid : List.copyOf(machines.keySet())) {
			stop(vmid);
		}
		quietly("sh", "-c", "grep ' " + dir + "' /proc/mounts | cut -d' ' -f2 | sort -r | xargs -r umount -l");
		try (Stream<Path> files = Files.walk(dir)) {
			List<Path> all = new ArrayList<>(files.sorted(Comparator.reverseOrder()).toList());
			for (Path path : all) {
				Files.deleteIfExists(path);
			}
		}
		catch (IOException e) {
			// the temporary directory's owner removes what is left
		}
	}

	private static void run(String... command) throws IOException, InterruptedException {
		String failed = attempt(command);
		if (failed != null) {
			throw new IllegalStateException(String.join(" ", command) + " failed: " + failed);
		}
	}

	/** Runs a command on this thread: null when it succeeded, else its output. */
	private static @Nullable String attempt(String... command) throws IOException, InterruptedException {
		Process process = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
			.start();
		String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		if (!process.waitFor(30, TimeUnit.SECONDS)) {
			process.destroyForcibly();
			return "timed out: " + out;
		}
		return process.exitValue() == 0 ? null : out;
	}

	private static void quietly(String... command) {
		try {
			new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.start()
				.waitFor(30, TimeUnit.SECONDS);
		}
		catch (IOException e) {
			// best effort
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}

}
