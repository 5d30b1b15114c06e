package berth;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class BerthApplication {

	/** reactor-netty's own property; an operator's {@code -D} setting wins. */
	static final String IO_WORKERS = "reactor.netty.ioWorkerCount";

	public static void main(String[] args) {
		// One event loop per core. reactor-netty starts at least four, and on a small machine the
		// extra threads cost context switches on every proxied request (bench/run).
		if (System.getProperty(IO_WORKERS) == null) {
			System.setProperty(IO_WORKERS, Integer.toString(Runtime.getRuntime().availableProcessors()));
		}
		SpringApplication.run(BerthApplication.class, args);
	}

}
