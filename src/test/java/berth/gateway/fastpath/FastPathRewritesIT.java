package berth.gateway.fastpath;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import berth.testing.Admin;
import berth.testing.BerthTest;
import berth.testing.DockerCli;
import berth.testing.Raw;

/**
 * Per-tenant names on the fast path: whole answers (lists, inspects) are gathered, shown in the
 * tenant's names and sent with their new length, on a connection that stays usable; answers rewritten
 * as they stream, image requests and engine summaries are left to the gateway.
 */
@BerthTest
class FastPathRewritesIT {

	@LocalServerPort
	int port;

	@Autowired
	FastPathSupport fastPath;

	final DockerCli engine = DockerCli.engine();

	@Test
	void wholeAnswersAreShownInTheTenantsNamesAndFramedByTheirNewLength() {
		Admin.TenantKey tenant = new Admin(port).newTenant("shown");
		String auth = "Authorization: Bearer " + tenant.key();
		try (Raw.Connection client = new Raw.Connection(port)) {
			DockerCli.forKey(port, tenant.key()).docker("create", "--name", "web", "busybox", "true").assertOk();
			for (int i = 0; i < 2; i++) {
				Raw.Answer list = client.write(Raw.Connection.request("GET", "/v1.41/containers/json?all=1", auth))
					.read(false);
				assertThat(list.status()).isEqualTo(200);
				assertThat(list.body()).contains("\"Names\":[\"/web\"]").doesNotContain(tenant.tenant() + "_");
				assertThat(list.head()).containsIgnoringCase(
						"Content-Length: " + list.body().getBytes(StandardCharsets.UTF_8).length)
					.doesNotContainIgnoringCase("chunked");
			}
			Raw.Answer inspect = client.write(Raw.Connection.request("GET", "/v1.41/containers/web/json", auth)).read(false);
			assertThat(inspect.status()).isEqualTo(200);
			assertThat(inspect.body()).contains("\"Name\":\"/web\"");
			assertThat(engine.docker("inspect", "-f", "{{.Name}}", tenant.tenant() + "_web").assertOk().trimmed())
				.as("the engine-side name").isEqualTo("/" + tenant.tenant() + "_web");
			Raw.Answer missing = client.write(Raw.Connection.request("GET", "/v1.41/containers/nothing/json", auth))
				.read(false);
			assertThat(missing.status()).isEqualTo(404);
			assertThat(missing.body()).isEqualTo("{\"message\":\"No such container: nothing\"}\n");
			// answers without a rewrite pass as the engine sent them
			Raw.Answer ping = client.write(Raw.Connection.request("GET", "/_ping", auth)).read(false);
			assertThat(ping.status()).isEqualTo(200);
			assertThat(ping.body()).isEqualTo("OK");
		}
		finally {
			engine.removeOwnedBy(tenant.tenant());
		}
	}

	@Test
	void answersRewrittenAsTheyStreamImagesAndSummariesAreLeftToTheGateway() {
		for (String target : new String[] { "/v1.41/events", "/v1.41/containers/x/stats", "/v1.41/images/json",
				"/v1.41/images/busybox/json", "/v1.41/info", "/v1.41/system/df" }) {
			assertThat(fastPath.carries(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, target)))
				.as(target).isFalse();
		}
		for (String target : new String[] { "/v1.41/version", "/_ping", "/v1.41/containers/json",
				"/v1.41/containers/x/json", "/v1.41/volumes" }) {
			assertThat(fastPath.carries(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, target)))
				.as(target).isTrue();
		}
	}

}
