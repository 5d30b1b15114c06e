package berth.backend.proxmox;

import java.util.EnumMap;
import java.util.Map;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** {@code berth.proxmox.errors{kind}}: every failed Proxmox call or task, by what went wrong. */
final class ProxmoxErrors {

	private final Map<ProxmoxException.Kind, Counter> counters = new EnumMap<>(ProxmoxException.Kind.class);

	ProxmoxErrors(MeterRegistry registry) {
		for (ProxmoxException.Kind kind : ProxmoxException.Kind.values()) {
			counters.put(kind, Counter.builder("berth.proxmox.errors")
				.description("Failed Proxmox API calls and tasks, by kind")
				.tag("kind", kind.tag())
				.register(registry));
		}
	}

	void count(ProxmoxException.Kind kind) {
		counters.get(kind).increment();
	}

}
