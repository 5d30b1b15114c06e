package berth.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import tools.jackson.databind.json.JsonMapper;

/**
 * The smallest Kubernetes API a Helm {@code lookup} of a secret needs: the core group's discovery and
 * secrets by namespace and name, answered from {@link #secrets} (404 for the rest, as for a fresh
 * namespace). Helm, loaded as a native library, reads the environment it was started with, so the build
 * sets {@code KUBECONFIG} to a file under {@code target/} (pom.xml, Surefire), which this writes with the
 * random port it listens on.
 */
final class EmptyCluster {

	/** {@code namespace/name} → key → value. */
	final Map<String, Map<String, String>> secrets = new ConcurrentHashMap<>();

	/** Requests this API does not serve: a rendering should need none. */
	final List<String> unexpected = new CopyOnWriteArrayList<>();

	private static final Pattern SECRET = Pattern.compile("/api/v1/namespaces/([^/]+)/secrets/([^/]+)");

	private static final JsonMapper JSON = JsonMapper.builder().build();

	static EmptyCluster start() {
		EmptyCluster cluster = new EmptyCluster();
		try {
			HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
			server.createContext("/", cluster::answer);
			server.start();
			String kubeconfig = System.getenv("KUBECONFIG");
			if (kubeconfig == null || !kubeconfig.endsWith("helm-test/kubeconfig")) {
				throw new IllegalStateException("KUBECONFIG must name target/helm-test/kubeconfig (Surefire sets it), not " + kubeconfig);
			}
			Path config = Path.of(kubeconfig);
			Files.createDirectories(config.getParent());
			Files.writeString(config, """
					apiVersion: v1
					kind: Config
					clusters: [{name: empty, cluster: {server: "http://127.0.0.1:%d"}}]
					users: [{name: nobody, user: {}}]
					contexts: [{name: empty, context: {cluster: empty, user: nobody, namespace: ops}}]
					current-context: empty
					""".formatted(server.getAddress().getPort()));
			return cluster;
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	private void answer(HttpExchange exchange) throws IOException {
		String path = exchange.getRequestURI().getPath();
		Matcher secret = SECRET.matcher(path);
		if (path.equals("/api/v1")) {
			send(exchange, 200, Map.of("kind", "APIResourceList", "apiVersion", "v1", "groupVersion", "v1", "resources",
					List.of(Map.of("name", "secrets", "singularName", "secret", "namespaced", true, "kind", "Secret", "verbs",
							List.of("get", "list")))));
		}
		else if (secret.matches() && exchange.getRequestMethod().equals("GET")) {
			Map<String, String> data = secrets.get(secret.group(1) + "/" + secret.group(2));
			if (data == null) {
				send(exchange, 404, Map.of("kind", "Status", "apiVersion", "v1", "status", "Failure", "reason", "NotFound",
						"code", 404, "message", "secrets \"" + secret.group(2) + "\" not found"));
			}
			else {
				Map<String, String> encoded = new java.util.LinkedHashMap<>();
				data.forEach((key, value) -> encoded.put(key, Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8))));
				send(exchange, 200, Map.of("kind", "Secret", "apiVersion", "v1", "metadata",
						Map.of("name", secret.group(2), "namespace", secret.group(1)), "type", "Opaque", "data", encoded));
			}
		}
		else {
			unexpected.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
			send(exchange, 404, Map.of("kind", "Status", "apiVersion", "v1", "status", "Failure", "reason", "NotFound", "code", 404));
		}
	}

	private static void send(HttpExchange exchange, int status, Object body) throws IOException {
		byte[] bytes = JSON.writeValueAsBytes(body);
		exchange.getResponseHeaders().add("Content-Type", "application/json");
		exchange.sendResponseHeaders(status, bytes.length);
		exchange.getResponseBody().write(bytes);
		exchange.close();
	}

}
