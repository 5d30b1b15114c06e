package berth.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

import berth.testing.Admin;
import berth.testing.BerthTest;
import berth.testing.DockerCli;
import berth.testing.Raw;

/**
 * Tries the attacks of threats.md for real, with the docker CLI and with hand-made HTTP, through
 * Berth, then looks at the engine directly to prove nothing host-opening was created.
 */
@BerthTest
class PolicyAttacksIT {

	@LocalServerPort
	int port;

	Admin.TenantKey tenant;

	DockerCli docker;

	final DockerCli engine = DockerCli.engine();

	final List<String> names = new ArrayList<>();

	@BeforeEach
	void setUp() {
		tenant = new Admin(port).newTenant("attacker");
		docker = DockerCli.forKey(port, tenant.key());
	}

	@AfterEach
	void cleanUp() {
		for (String name : names) {
			engine.docker("rm", "-f", onEngine(name));
			engine.docker("volume", "rm", "-f", onEngine(name));
		}
		engine.removeOwnedBy(tenant.tenant());
	}

	/** The engine-side name of the tenant's object (the tenant's names are its own: berth.isolation.Names). */
	private String onEngine(String name) {
		return tenant.tenant() + "_" + name;
	}

	private String name(String what) {
		String name = "atk-" + tenant.tenant() + "-" + what;
		names.add(name);
		return name;
	}

	/** Runs an attack with the CLI: it must fail with Berth's message, and nothing of that name exists. */
	private void refusedRun(String expected, String... options) {
		String name = name("c" + names.size());
		List<String> args = new ArrayList<>(List.of("run", "-d", "--name", name));
		args.addAll(List.of(options));
		args.addAll(List.of("busybox", "sleep", "60"));
		DockerCli.Result result = docker.docker(args.toArray(String[]::new));
		assertThat(result.exitCode()).as("docker %s should fail: %s", args, result.out()).isNotZero();
		assertThat(result.err()).contains("Error response from daemon: berth: " + expected);
		assertThat(engine.docker("inspect", onEngine(name)).exitCode()).as("no container %s on the engine", name).isNotZero();
	}

	@Test
	void escapesToTheHostAreRefusedByTheCli() {
		refusedRun("privileged containers are not allowed", "--privileged");
		refusedRun("the host's root cannot be mounted into containers (bind /:/host)", "-v", "/:/host");
		refusedRun("host system paths cannot be mounted into containers (mount source /etc)", "--mount",
				"type=bind,src=/etc,dst=/h");
		refusedRun("the engine's socket cannot be mounted into containers (bind /var/run/docker.sock:/var/run/docker.sock)",
				"-v", "/var/run/docker.sock:/var/run/docker.sock");
		refusedRun("the engine's socket cannot be mounted into containers (mount source /run/docker.sock)", "--mount",
				"type=bind,src=/run/docker.sock,dst=/s");
		refusedRun("host system paths cannot be mounted into containers (bind /tmp/../proc/1/root:/h)", "-v",
				"/tmp/../proc/1/root:/h");
		refusedRun("volume driver options in mounts", "--mount",
				"type=volume,src=v" + System.nanoTime() + ",dst=/x,volume-opt=type=none,volume-opt=o=bind,volume-opt=device=/");
		refusedRun("the host's network is not available", "--network", "host");
		refusedRun("the host's PID namespace is not available", "--pid", "host");
		refusedRun("the host's IPC namespace is not available", "--ipc", "host");
		refusedRun("the host's UTS namespace is not available", "--uts", "host");
		refusedRun("the host's user namespace is not available", "--userns", "host");
		refusedRun("the host's cgroup namespace is not available", "--cgroupns", "host");
		refusedRun("adding capabilities beyond Docker's defaults is not allowed (CapAdd: CAP_SYS_ADMIN)", "--cap-add",
				"SYS_ADMIN");
		refusedRun("adding capabilities beyond Docker's defaults is not allowed (CapAdd: ALL)", "--cap-add", "ALL");
		refusedRun("host devices cannot be passed", "--device", "/dev/null:/dev/x");
		refusedRun("device cgroup rules are not allowed", "--device-cgroup-rule", "b 8:* rmw");
		refusedRun("security options other than no-new-privileges", "--security-opt", "seccomp=unconfined");
		refusedRun("security options other than no-new-privileges", "--security-opt", "apparmor=unconfined");
		refusedRun("security options other than no-new-privileges", "--security-opt", "label=disable");
		refusedRun("changing which paths are masked", "--security-opt", "systempaths=unconfined");
		refusedRun("choosing the cgroup parent is not allowed", "--cgroup-parent", "/");
		refusedRun("only the default container runtime", "--runtime", "io.containerd.runsc.v1");
		refusedRun("the sysctl kernel.shmmax is not in the allowed set", "--sysctl", "kernel.shmmax=1");
		refusedRun("disabling the OOM killer is not allowed", "--oom-kill-disable");
		refusedRun("negative OOM score adjustments", "--oom-score-adj", "-500");
		refusedRun("the log driver syslog is not allowed", "--log-driver", "syslog");
		refusedRun("volume drivers other than local", "--volume-driver", "convoy");
		refusedRun("memory 17179869184 bytes is above the plan 'standard'", "-m", "16g");
		refusedRun("labels under berth. are reserved", "--label", "berth.tenant=someone-else");
	}

	@Test
	void publishedPortsStayOnTheHostsLoopback() {
		String anyAddress = name("any");
		docker.docker("run", "-d", "--name", anyAddress, "-p", "80", "busybox", "sleep", "60").assertOk();
		String explicit = name("explicit");
		docker.docker("run", "-d", "--name", explicit, "-p", "0.0.0.0::80", "busybox", "sleep", "60").assertOk();
		for (String container : List.of(anyAddress, explicit)) {
			String bindings = engine.docker("inspect", "-f", "{{json .HostConfig.PortBindings}}", onEngine(container))
				.assertOk()
				.out();
			assertThat(bindings).as("bindings on the engine").contains("\"HostIp\":\"127.0.0.1\"")
				.doesNotContain("0.0.0.0");
			assertThat(engine.docker("port", onEngine(container), "80").out().trim()).as("where the engine listens")
				.matches("127\\.0\\.0\\.1:\\d+");
		}
		// the engine host's address on the default bridge: every container on the host can reach it
		String gateway = engine.docker("network", "inspect", "-f", "{{range .IPAM.Config}}{{.Gateway}}{{end}}", "bridge")
			.out()
			.trim();
		String hostAddress = gateway.isEmpty() ? "172.17.0.1" : gateway;
		refusedRun("ports on this shared host are published on 127.0.0.1 only (80/tcp asks for " + hostAddress + ")",
				"-p", hostAddress + "::80");
		refusedRun("publishing every exposed port (-P)", "-P", "--expose", "80");
		refusedRun("ports on this shared host are published on 127.0.0.1 only (80/tcp asks for " + hostAddress + ")",
				"-p", hostAddress + ":18080:80");
	}

	/** A host port the tenant names binds nothing: another tenant's same port, or a squatter, cannot collide. */
	@Test
	void namedPortsNeverCollideBetweenTenants() {
		Admin.TenantKey other = new Admin(port).newTenant("neighbour");
		DockerCli neighbour = DockerCli.forKey(port, other.key());
		try {
			String mine = name("named");
			docker.docker("run", "-d", "--name", mine, "-p", "18080:80", "-p", "127.0.0.1:18081:81", "busybox", "sleep",
					"60").assertOk();
			neighbour.docker("run", "-d", "--name", "named", "-p", "18080:80", "busybox", "sleep", "60").assertOk();
			for (String onEngine : List.of(onEngine(mine), other.tenant() + "_named")) {
				assertThat(engine.docker("inspect", "-f", "{{json .NetworkSettings.Ports}}", onEngine).trimmed())
					.as("what the engine binds for " + onEngine)
					.doesNotContain("HostPort");
			}
			assertThat(docker.docker("port", mine).assertOk().out()).as("docker port")
				.contains("80/tcp -> 0.0.0.0:18080")
				.contains("81/tcp -> 127.0.0.1:18081");
			assertThat(neighbour.docker("port", "named", "80").assertOk().trimmed()).isEqualTo("0.0.0.0:18080");
			assertThat(docker.docker("ps", "--filter", "name=" + mine, "--format", "{{.Ports}}").assertOk().trimmed())
				.contains("0.0.0.0:18080->80/tcp");
			assertThat(docker.docker("inspect", "-f", "{{json .HostConfig.PortBindings}}", mine).trimmed())
				.contains("{\"HostIp\":\"\",\"HostPort\":\"18080\"}");
		}
		finally {
			engine.removeOwnedBy(other.tenant());
		}
	}

	/**
	 * A bind of an ordinary host path is accepted and becomes a volume of the tenant's: the engine
	 * mounts no host path, and nothing the container writes reaches the host's directory.
	 */
	@Test
	void hostBindsNeverMountTheHost(@org.junit.jupiter.api.io.TempDir Path hostDir) throws Exception {
		Files.writeString(hostDir.resolve("secret"), "host file");
		String container = name("bind");
		docker.docker("run", "--name", container, "-v", hostDir + ":/data", "--mount",
				"type=bind,src=" + hostDir + "/sub,dst=/sub", "busybox", "sh", "-c",
				"ls /data; echo written > /data/new; echo sub > /sub/new").assertOk();
		String mounts = engine.docker("inspect", "-f", "{{range .Mounts}}{{.Type}} {{.Name}} {{.Source}};{{end}}",
				onEngine(container)).trimmed();
		assertThat(mounts).as("the engine's mounts").doesNotContain("bind").doesNotContain(hostDir.toString())
			.contains("volume " + tenant.tenant() + "_");
		assertThat(engine.docker("inspect", "-f", "{{json .HostConfig.Binds}}", onEngine(container)).trimmed())
			.doesNotContain(hostDir.toString());
		assertThat(docker.docker("logs", container).assertOk().out()).as("the container did not see the host's files")
			.doesNotContain("secret");
		try (var files = Files.list(hostDir)) {
			assertThat(files.map(f -> f.getFileName().toString())).as("the host directory is untouched")
				.containsExactly("secret");
		}
		assertThat(docker.docker("inspect", "-f", "{{json .HostConfig.Binds}}", container).trimmed())
			.as("the tenant sees the bind it asked for")
			.isEqualTo("[\"" + hostDir + ":/data\"]");
	}

	@Test
	void otherWaysToOpenTheHostAreRefused(@org.junit.jupiter.api.io.TempDir Path context) throws Exception {
		String volume = name("evil");
		DockerCli.Result bindVolume = docker.docker("volume", "create", "-o", "type=none", "-o", "o=bind", "-o",
				"device=/", volume);
		assertThat(bindVolume.err()).contains("berth: volume driver options (type, o, device)");
		assertThat(engine.docker("volume", "inspect", onEngine(volume)).exitCode()).isNotZero();

		DockerCli.Result driver = docker.docker("volume", "create", "-d", "rexray", name("driver"));
		assertThat(driver.err()).contains("berth: volume drivers other than local");

		DockerCli.Result macvlan = docker.docker("network", "create", "-d", "macvlan", "-o", "parent=eth0", name("mv"));
		assertThat(macvlan.err()).contains("berth: network drivers other than bridge");

		String victim = name("exec");
		docker.docker("run", "-d", "--name", victim, "busybox", "sleep", "60").assertOk();
		DockerCli.Result privilegedExec = docker.docker("exec", "--privileged", victim, "id");
		assertThat(privilegedExec.err()).contains("berth: privileged exec is not allowed");
		assertThat(docker.docker("exec", victim, "echo", "plain exec works").assertOk().out()).contains("plain exec works");
		String execs = engine.docker("inspect", "-f", "{{len .ExecIDs}}", onEngine(victim)).trimmed();
		assertThat(execs).as("the refused exec was never created on the engine").isIn("0", "1");

		Files.writeString(context.resolve("Dockerfile"), "FROM busybox\nRUN true\n");
		DockerCli.Result hostBuild = docker.env("DOCKER_BUILDKIT", "0").docker("build", "--network", "host", "-q",
				context.toString());
		assertThat(hostBuild.exitCode()).isNotZero();
		assertThat(hostBuild.err()).contains("berth: builds cannot use the host's or another container's network");

		DockerCli.Result urlImport = docker.docker("import", "http://127.0.0.1:9/rootfs.tar", name("imported"));
		assertThat(urlImport.err()).contains("berth: the engine does not fetch images from URLs");

		assertThat(docker.docker("swarm", "init").err()).contains("berth: swarm is not available to tenants");
		assertThat(docker.docker("plugin", "install", "--grant-all-permissions", "vieux/sshfs").err())
			.contains("berth: plugins run privileged code");
		assertThat(engine.docker("info", "-f", "{{.Swarm.LocalNodeState}}").trimmed()).isEqualTo("inactive");
	}

	@Test
	void bodiesThatFoolNaiveFiltersAreRefused() {
		String auth = "Authorization: Bearer " + tenant.key();
		String json = "Content-Type: application/json";
		String create = "/v1.41/containers/create?name=";
		record Attempt(String name, String body, boolean chunked, String contentType, int status, String message) {
		}
		List<Attempt> attempts = List.of(
				new Attempt("casedup", "{\"Image\":\"busybox\",\"HostConfig\":{},\"hostconfig\":{\"Privileged\":true}}", false, json, 400, "more than once"),
				new Attempt("lower", "{\"Image\":\"busybox\",\"hostconfig\":{\"privileged\":true}}", false, json, 403, "privileged containers"),
				new Attempt("escaped", "{\"Image\":\"busybox\",\"HostConfig\":{\"\\u0050rivileged\":true}}", false, json, 403, "privileged containers"),
				new Attempt("dupkey", "{\"Image\":\"busybox\",\"HostConfig\":{\"Privileged\":false,\"Privileged\":true}}", false, json, 400, "Duplicate"),
				new Attempt("chunked", "{\"Image\":\"busybox\",\"HostConfig\":{\"Privileged\":true}}", true, json, 403, "privileged containers"),
				new Attempt("form", "{\"Image\":\"busybox\",\"HostConfig\":{\"Privileged\":true}}", false,
						"Content-Type: application/x-www-form-urlencoded", 400, "form bodies are not accepted"),
				new Attempt("deep", "{\"Image\":\"busybox\",\"Labels\":" + "[".repeat(100) + "]".repeat(100) + "}", false, json, 400, "not JSON"),
				new Attempt("huge", "{\"Image\":\"busybox\",\"Env\":[\"" + "x".repeat(2 * 1024 * 1024) + "\"]}", false, json, 413, "larger than"));
		for (Attempt attempt : attempts) {
			String name = name(attempt.name());
			Raw.Answer answer = Raw.send(port, "POST", create + name, attempt.body().getBytes(StandardCharsets.UTF_8),
					attempt.chunked(), auth, attempt.contentType());
			assertThat(answer.status()).as(attempt.name() + ": " + answer.body()).isEqualTo(attempt.status());
			assertThat(answer.body()).as(attempt.name()).startsWith("{\"message\":\"berth: ").contains(attempt.message());
			assertThat(engine.docker("inspect", onEngine(name)).exitCode()).as("no container " + name).isNotZero();
		}
		// CVE-2024-41110 shape: an empty body with a JSON content type is read as {} (and forwarded as that)
		String empty = name("empty");
		Raw.Answer emptyBody = Raw.send(port, "POST", create + empty, new byte[0], false, auth, json);
		assertThat(emptyBody.status()).isBetween(400, 499);
		assertThat(engine.docker("inspect", onEngine(empty)).exitCode()).isNotZero();

		// a body where none belongs
		String target = name("target");
		docker.docker("create", "--name", target, "busybox", "true").assertOk();
		Raw.Answer startWithBody = Raw.send(port, "POST", "/v1.41/containers/" + target + "/start",
				"{\"Privileged\":true}".getBytes(StandardCharsets.UTF_8), false, auth, json);
		assertThat(startWithBody.status()).isEqualTo(400);
		assertThat(startWithBody.body()).contains("takes no request body");
	}

	/**
	 * The engine reads a form body's parameters before the query's: a pull whose body names a URL would
	 * be a fetch from the engine's network. A loopback listener stands for that network; it must never
	 * hear from the engine, whichever carrier (fast path, gateway) takes the request.
	 */
	@Test
	void formBodiesAndRepeatedParametersNeverReachTheEngine() throws Exception {
		String auth = "Authorization: Bearer " + tenant.key();
		String form = "Content-Type: application/x-www-form-urlencoded";
		try (Listener internal = new Listener()) {
			String url = "http://127.0.0.1:" + internal.port() + "/rootfs.tar";
			String repo = name("fetched");
			Raw.Answer pull = Raw.send(port, "POST", "/v1.41/images/create",
					("fromSrc=" + url + "&repo=" + repo).getBytes(StandardCharsets.UTF_8), false, auth, form);
			assertThat(pull.status()).as(pull.body()).isEqualTo(400);
			assertThat(pull.body()).startsWith("{\"message\":\"berth: form bodies are not accepted");

			Raw.Answer build = Raw.send(port, "POST", "/v1.41/build?t=" + name("built"),
					("remote=" + url).getBytes(StandardCharsets.UTF_8), false, auth, form);
			assertThat(build.status()).as(build.body()).isEqualTo(400);
			assertThat(build.body()).contains("form bodies are not accepted");

			Raw.Answer multipart = Raw.send(port, "POST", "/v1.41/build",
					("--x\r\nContent-Disposition: form-data; name=\"remote\"\r\n\r\n" + url + "\r\n--x--\r\n")
						.getBytes(StandardCharsets.UTF_8), false, auth, "Content-Type: multipart/form-data; boundary=x");
			assertThat(multipart.status()).as(multipart.body()).isEqualTo(400);
			assertThat(multipart.body()).contains("form bodies are not accepted (Content-Type multipart/form-data)");

			// the engine takes the first fromImage; Berth must not decide on another one
			Raw.Answer repeated = Raw.request(port, "POST", "/v1.41/images/create?fromImage=127.0.0.1:" + internal.port()
					+ "/x&tag=latest&fromImage=busybox", auth);
			assertThat(repeated.status()).as(repeated.body()).isEqualTo(400);
			assertThat(repeated.body()).contains("the query parameter fromImage is given more than once");

			Thread.sleep(500);
			assertThat(internal.connections()).as("connections the engine opened to the internal listener").isZero();
			assertThat(engine.docker("image", "ls", "-q", "--filter", "reference=*" + repo + "*").trimmed()).isEmpty();
			// the listener does hear the engine: the same import sent to the engine directly reaches it
			engine.docker("import", url, onEngine(repo));
			assertThat(internal.connections()).as("the engine's own fetch").isPositive();
		}

		// an empty form on a bodyless endpoint (the fast path's kind of request) is refused as well
		String target = name("formstart");
		docker.docker("create", "--name", target, "busybox", "sleep", "60").assertOk();
		Raw.Answer start = Raw.send(port, "POST", "/v1.41/containers/" + target + "/start", new byte[0], false, auth,
				form);
		assertThat(start.status()).as(start.body()).isEqualTo(400);
		assertThat(start.body()).contains("form bodies are not accepted");
		Raw.Answer stop = Raw.request(port, "POST", "/v1.41/containers/" + target + "/stop?t=1&t=2", auth);
		assertThat(stop.status()).as(stop.body()).isEqualTo(400);
		assertThat(engine.docker("inspect", "-f", "{{.State.Status}}", onEngine(target)).trimmed()).isEqualTo("created");
		assertThat(Raw.request(port, "POST", "/v1.41/containers/" + target + "/start", auth).status()).isEqualTo(204);
		assertThat(engine.docker("inspect", "-f", "{{.State.Status}}", onEngine(target)).trimmed()).isEqualTo("running");
	}

	/**
	 * A pull, push or login makes the engine connect to the registry the tenant names: a loopback
	 * listener stands for a service on Berth's network (Redis, Postgres, a metadata endpoint).
	 */
	@Test
	void theEngineIsNotSentToPrivateRegistries(@org.junit.jupiter.api.io.TempDir Path context) throws Exception {
		try (Listener internal = new Listener()) {
			String registry = "127.0.0.1:" + internal.port();
			DockerCli.Result pull = docker.docker("pull", registry + "/x:1");
			assertThat(pull.err()).contains("berth: the engine does not connect to registries on private or loopback addresses ("
					+ registry + " is 127.0.0.1) (policy rule: registry-host)");
			DockerCli.Result login = docker.docker("login", "-u", "someone", "-p", "secret", registry);
			assertThat(login.exitCode()).isNotZero();
			assertThat(login.err()).contains("berth: the engine does not connect to registries on private or loopback");
			// the registry the operator allows (the test configuration's local one) takes logins as before
			DockerCli.Result allowed = docker.docker("login", "-u", "someone", "-p", "secret", "127.0.0.1:5000");
			assertThat(allowed.exitCode()).as(allowed.out() + allowed.err()).isZero();
			assertThat(allowed.out()).contains("Login Succeeded");
			DockerCli.Result localhost = docker.docker("pull", "localhost:" + internal.port() + "/x:1");
			assertThat(localhost.err()).contains("(policy rule: registry-host)");
			Raw.Answer push = Raw.request(port, "POST", "/v1.41/images/" + registry + "/x/push?tag=1",
					"Authorization: Bearer " + tenant.key(), "X-Registry-Auth: e30=");
			assertThat(push.status()).as(push.body()).isEqualTo(403);
			assertThat(push.body()).contains("registry-host");
			Thread.sleep(500);
			assertThat(internal.connections()).as("connections the engine opened to the internal listener").isZero();
			assertThat(engine.docker("image", "ls", "-q", "--filter", "reference=" + registry + "/x").trimmed()).isEmpty();
			Files.writeString(context.resolve("Dockerfile"), "FROM " + registry + "/base:1\nRUN true\n");
			DockerCli.Result build = docker.env("DOCKER_BUILDKIT", "0").docker("build", "-q", "-t", name("fromprivate"),
					context.toString());
			assertThat(build.exitCode()).isNotZero();
			assertThat(build.out() + build.err()).contains("berth: the engine does not connect to registries on private");
			Thread.sleep(500);
			assertThat(internal.connections()).as("connections the engine opened to the internal listener").isZero();
			// the listener does hear the engine: the same pull sent to the engine directly reaches it
			engine.docker("pull", registry + "/x:1");
			assertThat(internal.connections()).as("the engine's own pull").isPositive();
		}
	}

	/** A TCP listener on loopback that counts who connects (and answers nothing). */
	static final class Listener implements AutoCloseable {

		private final java.net.ServerSocket server;

		private final java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();

		Listener() throws java.io.IOException {
			server = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
			Thread.ofVirtual().start(() -> {
				while (!server.isClosed()) {
					try (java.net.Socket socket = server.accept()) {
						connections.incrementAndGet();
					}
					catch (java.io.IOException closed) {
						return;
					}
				}
			});
		}

		int port() {
			return server.getLocalPort();
		}

		int connections() {
			return connections.get();
		}

		@Override
		public void close() throws java.io.IOException {
			server.close();
		}

	}

	@Test
	void fooledPathsAreRefused() {
		String auth = "Authorization: Bearer " + tenant.key();
		for (String target : List.of("/v1.41//containers/json", "/v1.41/containers/x/../../info", "/v1.41/%2e%2e/info",
				"/v1.41/containers/create/", "/v9.1/containers/json")) {
			Raw.Answer answer = Raw.request(port, "GET", target, auth);
			assertThat(answer.status()).as(target).isEqualTo(400);
			assertThat(answer.body()).as(target).startsWith("{\"message\":\"berth: ");
		}
		Raw.Answer repeated = Raw.request(port, "POST", "/v1.41/build?networkmode=default&networkmode=host", auth);
		assertThat(repeated.status()).isEqualTo(400);
	}

	@Test
	void processesNeverStartInProcAndHealthchecksKeepThePlansFloor() {
		refusedRun("processes cannot start in /proc (WorkingDir /proc/self/fd/8)", "-w", "/proc/self/fd/8");
		refusedRun("processes cannot start in /proc (WorkingDir /tmp/../proc//self/cwd/)", "-w", "/tmp/../proc//self/cwd/");
		refusedRun("a healthcheck Interval of 1000000 ns is below the plan 'standard' floor of 1000 ms", "--health-cmd",
				"true", "--health-interval", "1ms");
		refusedRun("a healthcheck Timeout of 500000000 ns is below", "--health-cmd", "true", "--health-timeout", "500ms");
		refusedRun("a healthcheck with 1000000 retries is above the plan 'standard' limit of 100", "--health-cmd", "true",
				"--health-retries", "1000000");

		// an hour apart: no healthcheck exec runs while the exec count is inspected below
		String healthy = name("healthy");
		docker.docker("run", "-d", "--name", healthy, "--health-cmd", "true", "--health-interval", "1h",
				"--health-retries", "3", "-w", "/srv", "busybox", "sleep", "60").assertOk();
		assertThat(engine.docker("inspect", "-f", "{{.Config.Healthcheck.Interval}} {{.Config.Healthcheck.Retries}} {{.Config.WorkingDir}}",
				onEngine(healthy)).trimmed()).isEqualTo("1h0m0s 3 /srv");

		DockerCli.Result exec = docker.docker("exec", "-w", "/proc/self/fd/7", healthy, "true");
		assertThat(exec.err()).contains("berth: processes cannot start in /proc (WorkingDir /proc/self/fd/7)");
		assertThat(engine.docker("inspect", "-f", "{{len .ExecIDs}}", onEngine(healthy)).trimmed())
			.as("the refused exec was never created on the engine").isEqualTo("0");

		String snapshot = name("snap");
		DockerCli.Result commit = docker.docker("commit", "--change", "WORKDIR /proc/self/fd/7", healthy, snapshot);
		assertThat(commit.err()).contains("berth: images cannot make their processes start in /proc");
		assertThat(engine.docker("image", "ls", "-q", "--filter", "reference=*/" + tenant.tenant() + "/" + snapshot).trimmed())
			.as("no image committed").isEmpty();
	}

	/** Berth configured as an operator who does not let tenants run as root would configure it. */
	@org.junit.jupiter.api.Nested
	@org.springframework.test.context.TestPropertySource(properties = "berth.policy.allow-root=false")
	class WithoutRoot {

		@Test
		void uidsThatWrapAroundToRootAreRefused() {
			refusedRun("running as root (User 4294967296) is not allowed", "-u", "4294967296");
			refusedRun("running as root (User 2147483648:0) is not allowed", "-u", "2147483648:0");
			refusedRun("running as root (User +0) is not allowed", "-u", "+0");
			String plain = name("plain");
			docker.docker("run", "-d", "--name", plain, "-u", "1000", "busybox", "sleep", "60").assertOk();
			assertThat(engine.docker("inspect", "-f", "{{.Config.User}}", onEngine(plain)).trimmed()).isEqualTo("1000");
			DockerCli.Result exec = docker.docker("exec", "-u", "4294967296:0", plain, "id", "-u");
			assertThat(exec.err()).contains("berth: running as root (User 4294967296:0) is not allowed");
			assertThat(engine.docker("inspect", "-f", "{{len .ExecIDs}}", onEngine(plain)).trimmed()).isEqualTo("0");
		}

	}

	@Test
	void limitsComeFromThePlanWhenAbsent() {
		String name = name("limited");
		docker.docker("run", "-d", "--name", name, "busybox", "sleep", "60").assertOk();
		String limits = engine
			.docker("inspect", "-f", "{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}}", onEngine(name))
			.trimmed();
		assertThat(limits).isEqualTo("1073741824 1000000000 512");
		assertThat(engine.docker("inspect", "-f", "{{index .Config.Labels \"berth.tenant\"}}", onEngine(name)).trimmed())
			.isEqualTo(tenant.tenant());
		DockerCli.Result raise = docker.docker("update", "--memory", "8g", "--memory-swap", "8g", name);
		assertThat(raise.err()).contains("berth: memory 8589934592 bytes is above the plan");
		assertThat(engine.docker("inspect", "-f", "{{.HostConfig.Memory}}", onEngine(name)).trimmed()).isEqualTo("1073741824");
	}

}
