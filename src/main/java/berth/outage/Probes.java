package berth.outage;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.stereotype.Component;

/**
 * Asks each dependency that is down, once a second, whether it is back. On a thread of its own: a
 * probe of a dependency that is away can wait seconds for its connection timeout, and the shared
 * scheduler's tasks (writing "last used" times, resynchronising routes) wait on the same dependencies,
 * so sharing it would delay the news of a return by as much.
 */
@Component
class Probes implements InitializingBean, DisposableBean {

	private static final Logger log = LoggerFactory.getLogger(Probes.class);

	private final List<Dependency> dependencies;

	private final ScheduledExecutorService thread = Executors
		.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("dependency-probes").daemon().factory());

	Probes(List<Dependency> dependencies) {
		this.dependencies = dependencies;
	}

	@Override
	public void afterPropertiesSet() {
		thread.scheduleWithFixedDelay(this::probe, 1, 1, TimeUnit.SECONDS);
	}

	void probe() {
		for (Dependency dependency : dependencies) {
			try {
				dependency.probe();
			}
			catch (RuntimeException e) {
				log.warn("probe of {} failed", dependency.name(), e);
			}
		}
	}

	@Override
	public void destroy() {
		thread.shutdownNow();
	}

}
