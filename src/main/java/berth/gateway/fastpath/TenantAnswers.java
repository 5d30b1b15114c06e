package berth.gateway.fastpath;

import java.util.function.UnaryOperator;

import org.springframework.stereotype.Component;

import berth.isolation.TenantView;

/**
 * The fast path's answers as the tenant knows its objects: the same {@link TenantView} the gateway's
 * {@code AdmissionFilter} applies. Small JSON answers (lists, inspects) and every error answer are
 * rewritten whole; event and stats streams, rewritten line by line, stay on the gateway.
 */
@Component
class TenantAnswers implements AnswerRewrites {

	@Override
	public Rewrite of(TenantView view) {
		UnaryOperator<byte[]> json = view.shape() == TenantView.Shape.JSON ? view::json : null;
		return status -> {
			if (status >= 400) {
				// the engine's errors are JSON; anything else passes through error() unchanged
				return view::error;
			}
			return status / 100 == 2 ? json : null;
		};
	}

}
