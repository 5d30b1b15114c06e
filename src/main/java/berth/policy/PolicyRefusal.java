package berth.policy;

import org.springframework.http.HttpStatus;

import berth.web.DockerApiException;

/** A request the policy will not let through, with the rule that refused it (for metrics and audit). */
public final class PolicyRefusal extends DockerApiException {

	private final String rule;

	PolicyRefusal(HttpStatus status, String rule, String message) {
		super(status, message + " (policy rule: " + rule + ")");
		this.rule = rule;
	}

	static PolicyRefusal forbidden(String rule, String message) {
		return new PolicyRefusal(HttpStatus.FORBIDDEN, rule, message);
	}

	static PolicyRefusal malformed(String rule, String message) {
		return new PolicyRefusal(HttpStatus.BAD_REQUEST, rule, message);
	}

	public String rule() {
		return rule;
	}

}
