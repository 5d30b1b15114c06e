package berth.outage;

import java.util.List;

import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/** Asks each dependency that is down, once a second, whether it is back. */
@Component
class Probes {

	private final List<Dependency> dependencies;

	Probes(List<Dependency> dependencies) {
		this.dependencies = dependencies;
	}

	@Scheduled(fixedDelay = 1000)
	void probe() {
		dependencies.forEach(Dependency::probe);
	}

}
