package berth.policy;

import java.util.List;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The plan's limits on a container's resources: injected when a request asks for none, refused when
 * it asks for more. Works on HostConfig (create) and on the body of update, which share the fields.
 */
final class Quotas {

	private Quotas() {
	}

	/** Create: fills in what is missing, then checks. */
	static void applyToCreate(ObjectNode resources, Plan plan, HostConfigRules.Verdict verdict) {
		if (Values.zero(resources.get("Memory"))) {
			resources.put("Memory", plan.memoryBytes());
		}
		if (Values.zero(resources.get("NanoCpus")) && Values.zero(resources.get("CpuQuota"))) {
			resources.put("NanoCpus", plan.nanoCpus());
		}
		if (Values.number(resources.get("PidsLimit")) <= 0) {
			resources.put("PidsLimit", plan.pidsLimit());
		}
		check(resources, plan, verdict);
	}

	/** Update: zero means "leave as is"; whatever is set must fit the plan. */
	static void check(ObjectNode resources, Plan plan, HostConfigRules.Verdict verdict) {
		long memory = Values.number(resources.get("Memory"));
		if (memory > plan.memoryBytes()) {
			verdict.refuse("quota-memory", "memory " + memory + " bytes is above the plan '" + plan.name() + "' limit of "
					+ plan.memoryBytes() + " bytes");
		}
		long swap = Values.number(resources.get("MemorySwap"));
		if (swap < 0 || swap > 2 * plan.memoryBytes()) {
			verdict.refuse("quota-memory", "memory+swap " + swap + " is above the plan '" + plan.name() + "' limit of "
					+ 2 * plan.memoryBytes() + " bytes");
		}
		long nanoCpus = Values.number(resources.get("NanoCpus"));
		long quota = Values.number(resources.get("CpuQuota"));
		long period = Values.number(resources.get("CpuPeriod"));
		long effective = nanoCpus > 0 ? nanoCpus
				: quota > 0 ? quota * 1_000_000_000L / (period > 0 ? period : 100_000L) : 0;
		if (quota < 0 && nanoCpus == 0) {
			verdict.refuse("quota-cpu", "an unlimited CPU quota is above the plan '" + plan.name() + "' limit");
		}
		if (effective > plan.nanoCpus()) {
			verdict.refuse("quota-cpu", String.format("%.2f CPUs is above the plan '%s' limit of %.2f CPUs",
					effective / 1e9, plan.name(), plan.nanoCpus() / 1e9));
		}
		if (resources.has("PidsLimit") && !Values.absent(resources.get("PidsLimit"))) {
			long pids = Values.number(resources.get("PidsLimit"));
			if (pids <= 0 || pids > plan.pidsLimit()) {
				verdict.refuse("quota-pids", "a pids limit of " + (pids <= 0 ? "unlimited" : pids) + " is above the plan '" + plan.name()
						+ "' limit of " + plan.pidsLimit());
			}
		}
		long shm = Values.number(resources.get("ShmSize"));
		if (shm > plan.memoryBytes()) {
			verdict.refuse("quota-memory", "a /dev/shm of " + shm + " bytes is above the plan's memory");
		}
	}

	/** Healthcheck durations the engine reads, in nanoseconds; zero means "the image's or the default". */
	private static final List<String> HEALTHCHECK_DURATIONS = List.of("Interval", "Timeout",
			"StartInterval");

	/**
	 * A healthcheck runs a process in the container at every interval: one every millisecond burns the
	 * engine's CPU for every tenant. Durations below the plan's floor are refused; a zero (inherit) and
	 * a healthcheck that is off ({@code NONE}) are left alone. Retries are bounded by the plan too.
	 */
	static void healthcheck(@Nullable JsonNode healthcheck, Plan plan,
			HostConfigRules.Verdict verdict) {
		if (Values.absent(healthcheck) || !healthcheck.isObject() || disabled(healthcheck.get("Test"))) {
			return;
		}
		long floor = plan.healthcheckMinIntervalMs() * 1_000_000L;
		for (String field : HEALTHCHECK_DURATIONS) {
			JsonNode value = healthcheck.get(field);
			if (Values.zero(value)) {
				continue;
			}
			if (!value.isIntegralNumber() || value.asLong() < floor) {
				verdict.refuse("quota-healthcheck", "a healthcheck " + field + " of " + value + " ns is below the plan '"
						+ plan.name() + "' floor of " + plan.healthcheckMinIntervalMs() + " ms");
			}
		}
		JsonNode retries = healthcheck.get("Retries");
		if (!Values.zero(retries) && (!retries.isIntegralNumber() || retries.asLong() < 0
				|| retries.asLong() > plan.healthcheckMaxRetries())) {
			verdict.refuse("quota-healthcheck", "a healthcheck with " + retries + " retries is above the plan '"
					+ plan.name() + "' limit of " + plan.healthcheckMaxRetries());
		}
	}

	private static boolean disabled(@Nullable JsonNode test) {
		return test != null && test.isArray() && test.size() >= 1 && "NONE".equals(Values.text(test.get(0)));
	}

}
