package berth.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import berth.testing.Forwarder;
import berth.testing.Admin;
import berth.testing.DockerCli;

/**
 * What route integration tests share: Berth with route publishing on, writing to Redis database 5
 * through a forwarder the tests can take down; a direct Redis connection to read what Traefik would
 * read; tenants driving the real docker CLI; and cleanup of the containers they made. Subclasses
 * share one application context (same dynamic properties).
 */
abstract class RouteITSupport {

	static final String ROOT = "traefik";

	static final int DATABASE = 5;

	static final String DOMAIN = "berth.localhost";

	static final Forwarder redisLink = Forwarder.toLocalPort(6379);

	private static RedisCommands<String, String> redis;

	@DynamicPropertySource
	static void routesOn(DynamicPropertyRegistry registry) {
		redisLink.start();
		redis().flushdb();
		registry.add("berth.routes.enabled", () -> "true");
		registry.add("spring.data.redis.url", () -> "redis://127.0.0.1:" + redisLink.port() + "/" + DATABASE);
		registry.add("berth.routes.check-interval", () -> "500ms");
		registry.add("berth.routes.resync-interval", () -> "8s");
	}

	@LocalServerPort
	int port;

	@LocalManagementPort
	int managementPort;

	Admin admin;

	final List<String> containers = new ArrayList<>();

	/** Tenants created by the test: their containers, networks and volumes are removed after it. */
	final List<String> tenants = new ArrayList<>();

	final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	@BeforeEach
	void setUpSupport() {
		admin = new Admin(port);
		redisLink.start();
	}

	@AfterEach
	void removeContainers() {
		for (String id : containers) {
			DockerCli.engine().docker("rm", "-f", id);
		}
		tenants.forEach(DockerCli.engine()::removeOwnedBy);
	}

	/** Test Redis database 5, directly (not through the forwarder). */
	static synchronized RedisCommands<String, String> redis() {
		if (redis == null) {
			redis = RedisClient.create("redis://127.0.0.1:6379/" + DATABASE).connect().sync();
		}
		return redis;
	}

	static TraefikKv.Config kv() {
		return TraefikKv.read(redis(), ROOT);
	}

	/** A tenant with a key, its id, and a docker CLI configured with the key. */
	record Tenant(String name, String id, String key, DockerCli cli) {

		String host(String keyword) {
			return keyword + "." + name + "." + DOMAIN;
		}

	}

	Tenant tenant(String prefix) {
		Admin.TenantKey issued = admin.newTenant(prefix);
		tenants.add(issued.tenant());
		String id = admin.call("GET", "/api/v1/tenants/" + issued.tenant(), null).json().get("id").asString();
		return new Tenant(issued.tenant(), id, issued.key(), DockerCli.forKey(port, issued.key()));
	}

	/** Runs busybox httpd serving {@code content} on port 80, with a route label, through Berth. */
	String runWeb(Tenant tenant, String label, String content) {
		List<String> args = new ArrayList<>(List.of("run", "-d", "--label", label));
		args.addAll(List.of("busybox:latest", "sh", "-c", serve(content)));
		String id = tenant.cli().docker(args.toArray(String[]::new)).assertOk().trimmed();
		containers.add(id);
		return id;
	}

	static String serve(String content) {
		return "mkdir -p /www && echo " + content + " > /www/index.html && exec httpd -f -p 80 -h /www";
	}

	/** Waits until Traefik's view routes {@code host} to a server that answers {@code content}. */
	void awaitServed(String host, String content) {
		await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
			TraefikKv.Config config = kv();
			assertThat(config.problems()).isEmpty();
			String url = config.urlFor(host).orElseThrow(() -> new AssertionError("no route for " + host));
			assertThat(fetch(url)).contains(content);
		});
	}

	void awaitGone(String host) {
		await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
			TraefikKv.Config config = kv();
			assertThat(config.problems()).isEmpty();
			assertThat(config.routerFor(host)).isEmpty();
		});
	}

	String fetch(String url) throws IOException, InterruptedException {
		return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(),
				HttpResponse.BodyHandlers.ofString()).body();
	}

	String management(String path) throws IOException, InterruptedException {
		return fetch("http://127.0.0.1:" + managementPort + path);
	}

}
