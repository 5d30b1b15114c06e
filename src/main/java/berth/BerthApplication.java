package berth;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.boot.security.autoconfigure.ReactiveUserDetailsServiceAutoConfiguration;
import org.springframework.scheduling.annotation.EnableScheduling;

// Berth's only users are the operator (the admin token) and tenants (keys): Spring Boot's default
// user would log a generated password at every start, a secret in the log that nothing uses.
@SpringBootApplication(exclude = ReactiveUserDetailsServiceAutoConfiguration.class)
@ConfigurationPropertiesScan
@EnableScheduling
public class BerthApplication {

	/** reactor-netty's and Netty's own properties; an operator's {@code -D} settings win. */
	static final String IO_WORKERS = "reactor.netty.ioWorkerCount";

	static final String LEAK_DETECTION = "io.netty.leakDetection.level";

	public static void main(String[] args) {
		// One event loop per core. reactor-netty starts at least four, and on a small machine the
		// extra threads cost context switches on every proxied request (bench/run).
		defaultProperty(IO_WORKERS, Integer.toString(Runtime.getRuntime().availableProcessors()));
		// Netty's sampling leak detector records a stack trace for one buffer in 128 and touches every
		// message on its way through a pipeline. The tests (which do not start here) keep it on.
		defaultProperty(LEAK_DETECTION, "disabled");
		SpringApplication.run(BerthApplication.class, args);
	}

	private static void defaultProperty(String name, String value) {
		if (System.getProperty(name) == null) {
			System.setProperty(name, value);
		}
	}

}
