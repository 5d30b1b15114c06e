package berth.backend.proxmox;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code berth.vms{state}}: tenants' VMs by lifecycle state, across replicas (read from Postgres after
 * each step and every 15 s); {@code berth.vm.wake{path}}: how long a wake took from the first request
 * to a ready engine, by path ({@code clone} for a new VM, {@code start} for a stopped one).
 */
final class VmMetrics {

	private static final Logger log = LoggerFactory.getLogger(VmMetrics.class);

	private final Map<VmState, AtomicLong> byState = new EnumMap<>(VmState.class);

	private final Map<String, Timer> wakes;

	private final TenantVms vms;

	VmMetrics(MeterRegistry registry, TenantVms vms) {
		this.vms = vms;
		for (VmState state : VmState.values()) {
			AtomicLong count = new AtomicLong();
			byState.put(state, count);
			Gauge.builder("berth.vms", count, AtomicLong::get)
				.description("Tenants' VMs by lifecycle state")
				.tag("state", state.lower())
				.register(registry);
		}
		this.wakes = Map.of("clone", timer(registry, "clone"), "start", timer(registry, "start"));
	}

	private static Timer timer(MeterRegistry registry, String path) {
		return Timer.builder("berth.vm.wake")
			.description("From the first request for a tenant's VM to its engine answering, by path")
			.tag("path", path)
			.publishPercentileHistogram()
			.minimumExpectedValue(Duration.ofMillis(100))
			.maximumExpectedValue(Duration.ofMinutes(5))
			.register(registry);
	}

	void woke(String path, Duration took) {
		wakes.get(path).record(took);
	}

	/** Reads the counts again. Blocking. */
	void refresh() {
		try {
			Map<VmState, Long> counts = vms.countByState();
			byState.forEach((state, count) -> count.set(counts.getOrDefault(state, 0L)));
		}
		catch (RuntimeException e) {
			log.debug("could not count VMs by state: {}", e.toString());
		}
	}

}
