package berth.gateway;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

import berth.account.TenantRef;

/** Until a feature rewrites answers, tenants see them exactly as the engine sent them. */
@Component
class AnswersAsSent implements AnswerRewrites {

	@Override
	public boolean rewritesStreams(String method, String template) {
		return false;
	}

	@Override
	public AnswerRewrites.@Nullable Rewrite of(TenantRef tenant, String method, String rawPath, @Nullable String rawQuery) {
		return null;
	}

}
