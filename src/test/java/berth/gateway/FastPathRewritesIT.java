package berth.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.function.UnaryOperator;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;

import berth.account.TenantRef;
import berth.testing.Admin;
import berth.testing.BerthTest;
import berth.testing.Raw;

/**
 * A feature that rewrites answers (as per-tenant names will) plugged into the fast path: whole
 * answers are gathered, rewritten and sent with their new length, on a connection that stays usable;
 * answers rewritten as they stream leave their requests to the gateway.
 */
@BerthTest
@Import(FastPathRewritesIT.Rewrites.class)
class FastPathRewritesIT {

	@TestConfiguration(proxyBeanMethods = false)
	static class Rewrites {

		/** Wraps version answers, words image errors its own way, and claims to rewrite event streams. */
		@Bean
		@Primary
		AnswerRewrites testRewrites() {
			return new AnswerRewrites() {
				@Override
				public boolean rewritesStreams(String method, String template) {
					return template.equals("/events");
				}

				@Override
				public AnswerRewrites.@Nullable Rewrite of(TenantRef tenant, String method, String rawPath,
						@Nullable String rawQuery) {
					if (rawPath.endsWith("/version")) {
						return status -> status == 200 ? wrapped(tenant) : null;
					}
					if (rawPath.startsWith("/v1.41/images/")) {
						return status -> status == 404
								? body -> ("{\"message\":\"shown to " + tenant.name() + "\"}\n").getBytes(StandardCharsets.UTF_8)
								: null;
					}
					return null;
				}
			};
		}

		private static UnaryOperator<byte[]> wrapped(TenantRef tenant) {
			return body -> ("{\"tenant\":\"" + tenant.name() + "\",\"engine\":" + new String(body, StandardCharsets.UTF_8).trim()
					+ "}").getBytes(StandardCharsets.UTF_8);
		}

	}

	@LocalServerPort
	int port;

	@Autowired
	FastPathSupport fastPath;

	@Test
	void wholeAnswersAreRewrittenAndFramedByTheirNewLength() {
		Admin.TenantKey tenant = new Admin(port).newTenant("shown");
		String auth = "Authorization: Bearer " + tenant.key();
		try (Raw.Connection client = new Raw.Connection(port)) {
			for (int i = 0; i < 2; i++) {
				Raw.Answer version = client.write(Raw.Connection.request("GET", "/v1.41/version", auth)).read(false);
				assertThat(version.status()).isEqualTo(200);
				assertThat(version.body()).startsWith("{\"tenant\":\"" + tenant.tenant() + "\",\"engine\":{")
					.contains("\"ApiVersion\"")
					.endsWith("}}");
				assertThat(version.head()).containsIgnoringCase(
						"Content-Length: " + version.body().getBytes(StandardCharsets.UTF_8).length)
					.doesNotContainIgnoringCase("chunked");
			}
			Raw.Answer missing = client.write(Raw.Connection.request("GET", "/v1.41/images/no-such-image:0/json", auth))
				.read(false);
			assertThat(missing.status()).isEqualTo(404);
			assertThat(missing.body()).isEqualTo("{\"message\":\"shown to " + tenant.tenant() + "\"}\n");
			// answers without a rewrite pass as the engine sent them
			Raw.Answer ping = client.write(Raw.Connection.request("GET", "/_ping", auth)).read(false);
			assertThat(ping.status()).isEqualTo(200);
			assertThat(ping.body()).isEqualTo("OK");
		}
	}

	@Test
	void answersRewrittenAsTheyStreamAreLeftToTheGateway() {
		assertThat(fastPath.carries(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/v1.41/events"))).isFalse();
		assertThat(fastPath.carries(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/v1.41/version"))).isTrue();
	}

}
