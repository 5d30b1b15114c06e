package berth.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Drives Berth's admin API over real HTTP, as an operator would. */
public final class Admin {

	/** A tenant and one of its keys. */
	public record TenantKey(String tenant, String keyId, String key) {
	}

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final HttpClient http = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(java.time.Duration.ofSeconds(5))
		.build();

	private final int port;

	public Admin(int port) {
		this.port = port;
	}

	public static String uniqueName(String prefix) {
		return prefix + "-" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40, 1L << 41), 36);
	}

	/** Creates a tenant with a fresh unique name and issues it a key. */
	public TenantKey newTenant(String prefix) {
		String name = uniqueName(prefix);
		Response created = call("POST", "/api/v1/tenants", Map.of("name", name, "email", "ops@" + name + ".test"));
		if (created.status() != 201) {
			throw new IllegalStateException("tenant not created: " + created);
		}
		return newKey(name);
	}

	public TenantKey newKey(String tenant) {
		Response issued = call("POST", "/api/v1/tenants/" + tenant + "/keys", Map.of("description", "test"));
		if (issued.status() != 201) {
			throw new IllegalStateException("key not issued: " + issued);
		}
		return new TenantKey(tenant, issued.json().get("id").asString(), issued.json().get("key").asString());
	}

	public record Response(int status, String contentType, String body) {

		public JsonNode json() {
			return JSON.readTree(body);
		}

	}

	/** An answer kept as bytes (a zip bundle). */
	public record Download(int status, String contentType, byte[] body) {
	}

	/** A POST whose answer is kept as bytes. */
	public Download download(String path, Object body) {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.timeout(java.time.Duration.ofSeconds(30))
			.header("Content-Type", "application/json")
			.header("Authorization", "Bearer " + BerthTest.ADMIN_TOKEN)
			.POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
			.build();
		try {
			HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
			return new Download(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
					response.body());
		}
		catch (IOException | InterruptedException e) {
			throw new IllegalStateException(e);
		}
	}

	public Response call(String method, String path, Object body) {
		return call(method, path, body, BerthTest.ADMIN_TOKEN);
	}

	public Response call(String method, String path, Object body, String bearer) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.timeout(java.time.Duration.ofSeconds(30))
			.header("Content-Type", "application/json");
		if (bearer != null) {
			request.header("Authorization", "Bearer " + bearer);
		}
		request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
				: HttpRequest.BodyPublishers.ofString(body instanceof String s ? s : JSON.writeValueAsString(body)));
		try {
			HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
			return new Response(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
					response.body());
		}
		catch (IOException | InterruptedException e) {
			throw new IllegalStateException(e);
		}
	}

}
