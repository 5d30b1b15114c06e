package berth.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.Binder;

import berth.testing.Admin;
import berth.testing.BerthTest;

import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The files an operator installs Berth with on one host: docker-compose.yml is valid for docker-compose
 * 1.29 with every setting of .env.example, and Berth's image builds from the Dockerfile with the local
 * engine and runs. No registry can be reached here, so the test builds the image's base itself: a
 * {@code FROM scratch} image holding a runtime linked from the test's own JDK, the C libraries it needs
 * and busybox (for the compose healthcheck's wget). The Berth container then runs with the compose
 * file's environment against the local Postgres, Redis and engine; Docker runs the compose file's own
 * healthcheck in it. What is not run here: the postgres, redis and traefik images (none can be pulled),
 * so {@code docker-compose up} of the whole file.
 */
class DeploymentFilesIT {

	static final YAMLMapper YAML = YAMLMapper.builder().build();

	static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	@TempDir
	Path temp;

	@Test
	void theComposeFileIsValidAndUsesEverySettingOfTheExample() throws IOException {
		JsonNode config = YAML.readTree(composeConfig());
		JsonNode services = config.get("services");
		assertThat(services.propertyNames()).containsExactlyInAnyOrder("berth", "postgres", "redis", "traefik");
		for (String service : List.of("berth", "postgres", "redis", "traefik")) {
			assertThat(services.at("/" + service + "/healthcheck/test").isArray()).as("healthcheck of %s", service).isTrue();
		}
		JsonNode berth = services.get("berth");
		assertThat(Path.of(berth.at("/build/context").asString())).isEqualTo(Path.of("").toAbsolutePath());
		assertThat(berth.at("/build/args/BASE").asString()).isEqualTo("eclipse-temurin:25-jre");
		assertThat(berth.at("/depends_on/postgres/condition").asString()).isEqualTo("service_healthy");
		assertThat(texts(berth.get("ports"), "published", "target")).contains("2375:2375", "2376:2376");
		assertThat(texts(berth.get("volumes"))).contains("pki:/etc/berth/pki:ro", "/var/run/docker.sock:/var/run/docker.sock:rw");
		assertThat(config.get("volumes").propertyNames()).contains("pki", "postgres", "redis", "letsencrypt");
		JsonNode env = berth.get("environment");
		assertThat(env.get("BERTH_TLS_PORT").asString()).isEqualTo("2376");
		assertThat(env.get("SPRING_DATASOURCE_PASSWORD").asString())
			.isEqualTo(services.at("/postgres/environment/POSTGRES_PASSWORD").asString())
			.isEqualTo(example().get("POSTGRES_PASSWORD"));

		// Every variable the compose file reads is in the example, and every one of the example is read.
		Set<String> read = new LinkedHashSet<>();
		Matcher variable = Pattern.compile("\\$\\{([A-Z0-9_]+)").matcher(Files.readString(Path.of("docker-compose.yml")));
		while (variable.find()) {
			read.add(variable.group(1));
		}
		assertThat(example().keySet()).containsExactlyInAnyOrderElementsOf(read);
		// Every setting the documentation lists (and those agreed ahead) is given to Berth by the compose file.
		Map<String, String> markers = new LinkedHashMap<>();
		env.propertyNames().forEach(name -> markers.put(name, "<" + name + ">"));
		Binder binder = BerthSettings.binderOver(markers);
		for (String property : BerthSettings.expected()) {
			assertThat(binder.bind(property, String.class).orElse(null)).as("%s is set by the compose file", property)
				.isNotNull()
				.matches("<[A-Z0-9_]+>");
		}
		// And a setting given in .env reaches Berth's environment.
		Path changed = temp.resolve("changed.env");
		Files.writeString(changed, Files.readString(Path.of(".env.example")).replace("BERTH_POLICY_MODE=enforce", "BERTH_POLICY_MODE=audit"));
		assertThat(YAML.readTree(run(Duration.ofSeconds(60), "docker-compose", "--env-file", changed.toString(), "config"))
			.at("/services/berth/environment/BERTH_POLICY_MODE").asString()).isEqualTo("audit");
	}

	@Test
	void berthsImageBuildsFromTheDockerfileAndRunsHealthyWithTheComposeEnvironment() throws Exception {
		String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
		String base = "berth-deploy-it-base:" + id;
		String image = "berth-deploy-it:" + id;
		String container = "berth-deploy-it-" + id;
		assertThat(Path.of("target/berth.jar")).as("the jar the Dockerfile copies (mvn package)").exists();
		try {
			buildBase(base);
			String build = run(Duration.ofMinutes(5), "docker", "build", "--build-arg", "BASE=" + base, "-t", image, ".");
			assertThat(build).contains("Successfully tagged " + image);

			JsonNode berth = YAML.readTree(composeConfig()).at("/services/berth");
			int apiPort = freePort();
			int managementPort = freePort();
			Map<String, String> env = new LinkedHashMap<>();
			berth.get("environment").properties().forEach(e -> env.put(e.getKey(), e.getValue().asString()));
			// The host's network (ports of their own, so that checkouts side by side do not meet), the local
			// Postgres and Redis, and no route publishing into the shared Redis.
			env.put("SERVER_PORT", Integer.toString(apiPort));
			env.put("MANAGEMENT_SERVER_PORT", Integer.toString(managementPort));
			env.put("BERTH_TLS_PORT", Integer.toString(freePort()));
			env.put("SPRING_DATASOURCE_URL", "jdbc:postgresql://127.0.0.1:5432/" + System.getenv().getOrDefault("BERTH_TEST_DATABASE", "berth_test"));
			env.put("SPRING_DATASOURCE_PASSWORD", "berth");
			env.put("SPRING_DATA_REDIS_URL", "redis://127.0.0.1:6379/0");
			env.put("BERTH_ROUTES_ENABLED", "false");
			env.put("BERTH_ADMIN_TOKEN", BerthTest.ADMIN_TOKEN);
			// The compose file's own healthcheck, on this container's management port.
			List<String> test = texts(berth.at("/healthcheck/test"));
			assertThat(test.getFirst()).isEqualTo("CMD-SHELL");
			String healthcheck = test.get(1).replace(":8081/", ":" + managementPort + "/");

			// The compose file's confinement, as it gives it.
			assertThat(berth.get("read_only").asBoolean()).isTrue();
			List<String> command = new ArrayList<>(List.of("docker", "run", "-d", "--name", container, "--network", "host",
					"--group-add", dockerSocketGroup(), "-v", "/var/run/docker.sock:/var/run/docker.sock", "--read-only",
					"--health-cmd", healthcheck, "--health-interval", "2s", "--health-retries", "3", "--health-start-period", "180s"));
			texts(berth.get("tmpfs")).forEach(tmpfs -> command.addAll(List.of("--tmpfs", tmpfs)));
			texts(berth.get("cap_drop")).forEach(cap -> command.addAll(List.of("--cap-drop", cap)));
			texts(berth.get("security_opt")).forEach(opt -> command.addAll(List.of("--security-opt", opt)));
			env.forEach((name, value) -> command.addAll(List.of("-e", name + "=" + value)));
			command.add(image);
			run(Duration.ofMinutes(1), command.toArray(String[]::new));

			awaitHealthy(container, Duration.ofMinutes(3));
			HttpResponse<String> readiness = HTTP.send(HttpRequest.newBuilder(
					URI.create("http://127.0.0.1:" + managementPort + "/actuator/health/readiness")).build(), HttpResponse.BodyHandlers.ofString());
			assertThat(readiness.statusCode()).isEqualTo(200);
			assertThat(run(Duration.ofSeconds(30), "docker", "inspect", "-f", "{{.Config.User}} {{.HostConfig.ReadonlyRootfs}} {{.HostConfig.CapDrop}}",
					container).strip()).isEqualTo("10001:10001 true [ALL]");
			// Netty's native transport, unpacked into the scratch directory, is loaded (mapped into the JVM).
			assertThat(run(Duration.ofSeconds(30), "docker", "exec", container, "cat", "/proc/1/maps")).contains("netty_transport_native_epoll");

			// An operator makes a tenant, and the tenant reaches the engine through the containerised Berth.
			Admin admin = new Admin(apiPort);
			Admin.TenantKey tenant = admin.newTenant("deploy");
			HttpResponse<String> version = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + "/v1.41/version"))
				.header("Authorization", "Bearer " + tenant.key()).build(), HttpResponse.BodyHandlers.ofString());
			assertThat(version.statusCode()).as(version.body()).isEqualTo(200);
			assertThat(version.body()).contains("\"ApiVersion\"");
			assertThat(admin.call("DELETE", "/api/v1/tenants/" + tenant.tenant(), null).status()).isEqualTo(204);
		}
		finally {
			String logs = quietly("docker", "logs", "--tail", "40", container);
			if (!logs.isBlank()) {
				System.out.println("--- last lines of " + container + "\n" + logs);
			}
			quietly("docker", "rm", "-f", container);
			quietly("docker", "rmi", "-f", image);
			quietly("docker", "rmi", "-f", base);
		}
	}

	/**
	 * A base image of what this machine already has: a Java runtime linked from the running JDK (jlink),
	 * the shared libraries it and Netty's native transport load, and busybox as the shell and wget.
	 */
	void buildBase(String tag) throws IOException {
		Path context = temp.resolve("base");
		Path rootfs = context.resolve("rootfs");
		Path java = rootfs.resolve("opt/java");
		Files.createDirectories(java.getParent());
		run(Duration.ofMinutes(5), Path.of(System.getProperty("java.home"), "bin", "jlink").toString(), "--add-modules",
				"java.se,jdk.unsupported,jdk.management,jdk.naming.dns,jdk.zipfs,jdk.crypto.cryptoki", "--strip-debug",
				"--no-man-pages", "--no-header-files", "--output", java.toString());
		Set<String> libraries = new LinkedHashSet<>(List.of("/lib/x86_64-linux-gnu/libm.so.6", "/lib/x86_64-linux-gnu/librt.so.1",
				"/lib/x86_64-linux-gnu/libgcc_s.so.1"));
		try (Stream<Path> files = Files.walk(java)) {
			for (Path file : files.filter(f -> f.toString().endsWith(".so") || f.endsWith(Path.of("bin/java"))).toList()) {
				Matcher path = Pattern.compile("(?m)(?:=> |^\\s*)(/[^ ]+) \\(").matcher(run(Duration.ofSeconds(30), "ldd", file.toString()));
				while (path.find()) {
					if (!path.group(1).startsWith(java.toString())) {
						libraries.add(path.group(1));
					}
				}
			}
		}
		for (String library : libraries) {
			if (Files.exists(Path.of(library))) {
				Path target = rootfs.resolve(library.substring(1));
				Files.createDirectories(target.getParent());
				Files.copy(Path.of(library), target, StandardCopyOption.REPLACE_EXISTING);
			}
		}
		Files.createDirectories(rootfs.resolve("bin"));
		Files.copy(Path.of("/bin/busybox"), rootfs.resolve("bin/busybox"), StandardCopyOption.REPLACE_EXISTING);
		Files.createDirectories(rootfs.resolve("tmp"));
		run(Duration.ofSeconds(10), "chmod", "1777", rootfs.resolve("tmp").toString());
		Files.writeString(context.resolve("Dockerfile"), """
				FROM scratch
				COPY rootfs/ /
				RUN ["/bin/busybox", "--install", "-s", "/bin"]
				ENV JAVA_HOME=/opt/java PATH=/opt/java/bin:/bin
				""");
		run(Duration.ofMinutes(5), "docker", "build", "-t", tag, context.toString());
	}

	void awaitHealthy(String container, Duration timeout) throws InterruptedException {
		Instant deadline = Instant.now().plus(timeout);
		String state = "";
		while (Instant.now().isBefore(deadline)) {
			state = run(Duration.ofSeconds(30), "docker", "inspect", "-f", "{{.State.Status}} {{.State.Health.Status}}", container).strip();
			if (state.equals("running healthy")) {
				return;
			}
			assertThat(state).as("Berth's container").startsWith("running");
			Thread.sleep(1000);
		}
		throw new AssertionError("Berth's container was not healthy within " + timeout + ": " + state);
	}

	String composeConfig() {
		return run(Duration.ofSeconds(60), "docker-compose", "--env-file", ".env.example", "config");
	}

	static Map<String, String> example() throws IOException {
		Map<String, String> settings = new LinkedHashMap<>();
		for (String line : Files.readAllLines(Path.of(".env.example"))) {
			if (!line.isBlank() && !line.startsWith("#")) {
				settings.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
			}
		}
		return settings;
	}

	static List<String> texts(JsonNode array) {
		List<String> texts = new ArrayList<>();
		array.forEach(t -> texts.add(t.asString()));
		return texts;
	}

	/** {@code a:b} of two fields of each object of a list (ports, volumes). */
	static List<String> texts(JsonNode array, String a, String b) {
		List<String> texts = new ArrayList<>();
		array.forEach(t -> texts.add(t.path(a).asString() + ":" + t.path(b).asString()));
		return texts;
	}

	static String dockerSocketGroup() {
		try {
			return Files.getAttribute(Path.of("/var/run/docker.sock"), "unix:gid", LinkOption.NOFOLLOW_LINKS).toString();
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	static String run(Duration timeout, String... command) {
		try {
			Path output = Files.createTempFile("berth-deploy-it", ".out");
			ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
			// The classic builder, which the engine runs without BuildKit's extra components.
			builder.environment().put("DOCKER_BUILDKIT", "0");
			Process process = builder.start();
			process.getOutputStream().close();
			boolean ended = process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS);
			String text = Files.readString(output, StandardCharsets.UTF_8);
			Files.delete(output);
			if (!ended) {
				process.destroyForcibly();
				throw new AssertionError(String.join(" ", command) + ": no end within " + timeout + ":\n" + text);
			}
			if (process.exitValue() != 0) {
				throw new AssertionError(String.join(" ", command) + " exited " + process.exitValue() + ":\n" + text);
			}
			return text;
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new AssertionError(e);
		}
	}

	static String quietly(String... command) {
		try {
			return run(Duration.ofMinutes(1), command);
		}
		catch (AssertionError e) {
			return "";
		}
	}

}
