package berth.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import berth.testing.BerthTest;

/** The compose style early users have (ports + com.wip.http), through Berth with docker-compose. */
@BerthTest
class RouteComposeIT extends RouteITSupport {

	@Test
	void aComposeServiceWithARouteLabelIsServedAndFollowsComposeCommands() throws Exception {
		Tenant acme = tenant("compose");
		Path dir = Files.createTempDirectory("compose");
		Files.writeString(dir.resolve("docker-compose.yml"), """
				version: "3.7"
				services:
				  front:
				    image: busybox:latest
				    command: ["sh", "-c", "%s"]
				    ports:
				      - "127.0.0.1::80"
				    labels:
				      com.wip.http: front:80
				""".formatted(serve("from-compose")));
		String host = acme.host("front");
		try {
			acme.cli().compose(dir, "-p", acme.name(), "up", "-d").assertOk();
			awaitServed(host, "from-compose");
			assertThat(kv().urlFor(host).orElseThrow()).as("the container's address on the project network")
				.matches("http://[0-9.]+:80");

			acme.cli().compose(dir, "-p", acme.name(), "stop", "-t", "1").assertOk();
			awaitGone(host);
			acme.cli().compose(dir, "-p", acme.name(), "start").assertOk();
			awaitServed(host, "from-compose");
			acme.cli().compose(dir, "-p", acme.name(), "up", "-d", "--force-recreate").assertOk();
			awaitServed(host, "from-compose");

			acme.cli().compose(dir, "-p", acme.name(), "down", "-t", "1").assertOk();
			awaitGone(host);
		}
		finally {
			acme.cli().compose(dir, "-p", acme.name(), "down", "-t", "1", "--remove-orphans");
		}
	}

}
