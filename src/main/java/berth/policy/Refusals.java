package berth.policy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

import io.micrometer.core.instrument.MeterRegistry;

import berth.web.EngineAnswer;

/**
 * Where every refusal goes: counted by rule ({@code berth_policy_refusals_total}), written to the
 * audit log (tenant, endpoint, rule; never a key), and, in audit mode, let through.
 */
@Component
public class Refusals {

	private static final Logger audit = LoggerFactory.getLogger("berth.audit");

	private final MeterRegistry metrics;

	private final PolicyProperties.Mode mode;

	Refusals(MeterRegistry metrics, PolicyProperties properties) {
		this.metrics = metrics;
		this.mode = properties.mode();
	}

	boolean auditing() {
		return mode == PolicyProperties.Mode.AUDIT;
	}

	/** A policy decision against the request: throws in enforce mode, logs in audit mode. */
	void forbid(String tenant, String endpoint, String rule, String message) {
		PolicyRefusal refusal = PolicyRefusal.forbidden(rule, message);
		record(tenant, endpoint, refusal);
		if (!auditing()) {
			throw refusal;
		}
	}

	/** Logs an answer Berth gave in the engine's place ({@link StandIns}); it is no refusal and is not counted. */
	void answered(String tenant, String endpoint, EngineAnswer answer) {
		audit.debug("policy answered tenant={} endpoint=\"{}\" status={}", tenant, endpoint, answer.status().value());
	}

	/**
	 * Logs a field the engine ignores, or one that repeats the path, which the policy accepted after
	 * checking it and took out of the body before forwarding it; or a body that says nothing where
	 * none is read.
	 */
	void dropped(String tenant, String endpoint, String field, String reason) {
		audit.info("policy dropped tenant={} endpoint=\"{}\" field={} reason=\"{}\"", tenant, endpoint, field, reason);
	}

	/** Counts and logs a refusal that is answered whatever the mode (malformed or oversized input). */
	void record(String tenant, String endpoint, PolicyRefusal refusal) {
		String outcome = auditing() && refusal.status() == HttpStatus.FORBIDDEN ? "audited" : "refused";
		metrics.counter("berth.policy.refusals", "rule", refusal.rule(), "outcome", outcome).increment();
		audit.info("policy {} tenant={} endpoint=\"{}\" rule={} status={} reason=\"{}\"", outcome, tenant, endpoint,
				refusal.rule(), refusal.status().value(), refusal.getMessage());
	}

}
