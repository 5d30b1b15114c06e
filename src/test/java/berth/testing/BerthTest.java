package berth.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/**
 * A running Berth on random ports, against the real local Postgres (database {@code berth_test}, or the one
 * named by the environment variable {@code BERTH_TEST_DATABASE}, so that two checkouts can test side by side),
 * Redis and Docker engine that {@code scripts/services.sh} starts. Classes with the same annotation
 * share one application context.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.datasource.url=jdbc:postgresql://127.0.0.1:5432/${BERTH_TEST_DATABASE:berth_test}",
				"berth.admin-token=" + BerthTest.ADMIN_TOKEN, "management.server.port=0", "berth.auth.cache-ttl=2s",
				// the local registry the image tests push to and pull from is on loopback: an operator's exception
				"berth.policy.registries.allow=127.0.0.1:5000",
				// Route publishing writes to Redis: only route tests turn it on, on a Redis database of their own.
				"berth.routes.enabled=false",
				// The TLS port is off unless a test names a free port of its own (never 2376, which every
				// checkout would share); the CA that Berth makes is encrypted under this secret.
				"berth.tls.port=0", "berth.pki.key-encryption-secret=" + BerthTest.PKI_SECRET,
				// deleted tenants are torn down within seconds (after cache-ttl), and a failure is retried soon
				"berth.teardown.poll-interval=200ms", "berth.teardown.first-retry=1s", "berth.teardown.max-retry=2s" })
public @interface BerthTest {

	String ADMIN_TOKEN = "test-admin-token-0123456789";

	String PKI_SECRET = "test-pki-secret-0123456789";

}
