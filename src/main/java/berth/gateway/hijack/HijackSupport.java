package berth.gateway.hijack;

import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import reactor.netty.NettyPipeline;
import reactor.netty.http.server.HttpServer;

import berth.gateway.admission.Admission;
import berth.metrics.GatewayMetrics;
import berth.policy.Policy;

/** Puts a {@link HijackHandler} behind the HTTP codec of every connection on the tenant port. */
@Component
@Order(HijackSupport.ORDER)
public class HijackSupport implements NettyServerCustomizer {

	public static final String HTTP_CODEC = NettyPipeline.HttpCodec;

	/** Before {@link FastPathSupport}, which puts its handler in front of this one. */
	public static final int ORDER = 0;

	private final Admission admission;

	private final Policy policy;

	private final GatewayMetrics metrics;

	HijackSupport(Admission admission, Policy policy, GatewayMetrics metrics) {
		this.admission = admission;
		this.policy = policy;
		this.metrics = metrics;
	}

	Admission admission() {
		return admission;
	}

	Policy policy() {
		return policy;
	}

	GatewayMetrics metrics() {
		return metrics;
	}

	@Override
	public HttpServer apply(HttpServer server) {
		return server.doOnChannelInit((observer, channel, remoteAddress) -> {
			if (channel.pipeline().get(HTTP_CODEC) != null) {
				channel.pipeline().addAfter(HTTP_CODEC, HijackHandler.NAME, new HijackHandler(this));
			}
		});
	}

}
