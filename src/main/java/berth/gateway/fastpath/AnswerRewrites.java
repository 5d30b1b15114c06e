package berth.gateway.fastpath;

import java.util.function.UnaryOperator;

import org.jspecify.annotations.Nullable;

import berth.isolation.TenantView;

/**
 * What a tenant is shown of the engine's answers on the fast path: where a feature that rewrites
 * answers (per-tenant names) plugs in, with pure functions over bytes. An answer rewritten whole is
 * a small JSON document (a list, an inspect, an error): the fast path gathers it, applies the
 * function, and sends the result with its new length. Answers rewritten as they stream (events, one
 * JSON object per line) are left to the gateway: the registry's row says which
 * ({@link berth.policy.Endpoint.Rewrite#LINES}).
 */
interface AnswerRewrites {

	/**
	 * How one request's answer is shown to its tenant, from the view the admission worked out for the
	 * request as the tenant sent it; null when it is shown as the engine sent it.
	 */
	@Nullable Rewrite of(TenantView view);

	/** The rewrite of one request's answer. */
	interface Rewrite {

		/** The function applied to the whole answer with this status; null when it passes as sent. */
		@Nullable UnaryOperator<byte[]> whole(int status);

	}

}
