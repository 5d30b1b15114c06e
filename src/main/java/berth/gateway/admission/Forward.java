package berth.gateway.admission;

import org.jspecify.annotations.Nullable;

import berth.account.TenantRef;
import berth.backend.Engine;
import berth.isolation.TenantView;
import berth.policy.AfterAnswer;
import berth.policy.Body;
import berth.policy.Endpoint;
import berth.policy.Policy.Decision;

/**
 * An admitted request, as its carrier forwards it.
 *
 * @param endpoint the registry's row for the request
 * @param decision what the policy decided on the target
 * @param rawTarget the target as the client sent it
 * @param target the engine-side target, path and query
 * @param checkedBody the body the engine gets, as the policy produced it; null when the carrier relays
 *     the client's stream (or there is no body)
 * @param view how the answer is shown to the tenant; null on an engine of its own, which shows
 *     everything as it is
 * @param after what runs once the engine has answered (or the client left): every carrier runs it
 */
public record Forward(TenantRef tenant, Engine engine, Endpoint endpoint, Decision decision, String rawTarget,
		String target, byte @Nullable [] checkedBody, @Nullable TenantView view, AfterAnswer after) {

	/** How the carrier handles the request body. */
	public Body body() {
		return decision.body();
	}

	/** Whether the tenant shares its engine: names, lists and images are then isolated. */
	public boolean shared() {
		return engine.kind() == Engine.Kind.SHARED;
	}

}
