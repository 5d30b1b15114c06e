package berth.gateway.fastpath;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import reactor.netty.http.server.HttpRequestDecoderSpec;
import reactor.netty.http.server.HttpServer;

import berth.gateway.DockerRoute;
import berth.gateway.GatewayProperties;
import berth.gateway.hijack.HijackSupport;
import berth.gateway.admission.Admission;
import berth.gateway.admission.RequestBodies;
import berth.metrics.GatewayMetrics;
import berth.policy.Endpoint;
import berth.policy.Endpoints;
import berth.policy.Policy;

/**
 * Puts a {@link FastPath} right behind the HTTP codec of every connection on the tenant port, in
 * front of the hijack handler, and gives it what it decides with: the same authentication, policy,
 * ownership checks, engines and metrics as the gateway's filters.
 */
@Component
@Order(HijackSupport.ORDER + 1)
public class FastPathSupport implements NettyServerCustomizer {

	private final Admission admission;

	private final Policy policy;

	private final GatewayMetrics metrics;

	private final AnswerRewrites answers;

	private final EngineConnections connections = new EngineConnections();

	private final boolean enabled;

	FastPathSupport(Admission admission, Policy policy, GatewayMetrics metrics, AnswerRewrites answers,
			GatewayProperties properties) {
		this.answers = answers;
		this.admission = admission;
		this.policy = policy;
		this.metrics = metrics;
		this.enabled = properties.fastPath();
	}

	@Override
	public HttpServer apply(HttpServer server) {
		HttpServer decoding = withLargerPieces(server).childOption(ChannelOption.RCVBUF_ALLOCATOR, LARGE_READS);
		if (!enabled) {
			return decoding;
		}
		return decoding.doOnChannelInit((observer, channel, remoteAddress) -> {
			if (channel.pipeline().get(HijackSupport.HTTP_CODEC) != null) {
				channel.pipeline().addAfter(HijackSupport.HTTP_CODEC, FastPath.NAME, new FastPath(this));
			}
		});
	}

	/**
	 * Reads that grow up to 1 MiB while a connection keeps filling them (a streamed body), instead of
	 * Netty's 64 KiB: a quarter of the system calls and wake-ups per byte relayed. A connection
	 * carrying small requests keeps small reads.
	 */
	static final AdaptiveRecvByteBufAllocator LARGE_READS = new AdaptiveRecvByteBufAllocator(64, 2048, 1024 * 1024);

	/**
	 * Request bodies decoded in pieces of up to 64 KiB, as the socket delivers them, instead of
	 * reactor-netty's 8 KiB: a streamed body (docker cp into a container) then costs an eighth of
	 * the messages to relay. Every other decoder setting stays as configured.
	 */
	private static HttpServer withLargerPieces(HttpServer server) {
		HttpRequestDecoderSpec configured = server.configuration().decoder();
		return server.httpRequestDecoder(spec -> spec.maxInitialLineLength(configured.maxInitialLineLength())
			.maxHeaderSize(configured.maxHeaderSize())
			.validateHeaders(configured.validateHeaders())
			.initialBufferSize(configured.initialBufferSize())
			.allowDuplicateContentLengths(configured.allowDuplicateContentLengths())
			.allowPartialChunks(configured.allowPartialChunks())
			.h2cMaxContentLength(configured.h2cMaxContentLength())
			.maxChunkSize(Math.max(configured.maxChunkSize(), 64 * 1024)));
	}

	/**
	 * Whether the fast path carries a request: an ordinary HTTP/1.1 Docker API call (no upgrade, no
	 * expectation) whose body, if it has one, is a stream the policy does not read, and whose answer
	 * is not rewritten as it streams. JSON bodies, Berth's own pages and anything unusual go on: upgrades and malformed targets to the hijack handler, the
	 * rest to the gateway's filters.
	 */
	public boolean carries(HttpRequest head) {
		if (!head.decoderResult().isSuccess() || head instanceof LastHttpContent
				|| !HttpVersion.HTTP_1_1.equals(head.protocolVersion())) {
			return false;
		}
		HttpHeaders headers = head.headers();
		if (headers.contains(HttpHeaderNames.UPGRADE) || headers.contains(HttpHeaderNames.EXPECT)) {
			return false;
		}
		String target = head.uri();
		if (target.isEmpty() || target.charAt(0) != '/' || target.indexOf('#') >= 0) {
			return false;
		}
		int query = target.indexOf('?');
		String path = query < 0 ? target : target.substring(0, query);
		if (DockerRoute.isBerthPath(path) || !policy.acceptsTarget(path)) {
			return false;
		}
		Endpoint endpoint = Policy.endpoint(head.method().name(), Endpoints.template(path));
		boolean gateways = switch (endpoint.isolation()) {
			case IMAGES, COMMITTED, SUMMARY -> true;
			default -> false;
		};
		if (gateways || endpoint.view().rewrite() == Endpoint.Rewrite.LINES) {
			// image namespaces, engine summaries and streamed rewrites are the gateway's
			return false;
		}
		return switch (endpoint.body()) {
			case STREAM -> true;
			case JSON -> false;
			case NONE -> !hasBody(head);
		};
	}

	static boolean hasBody(HttpRequest head) {
		return RequestBodies.announced(HttpUtil.getContentLength(head, -1L),
				head.headers().contains(HttpHeaderNames.TRANSFER_ENCODING));
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

	AnswerRewrites answers() {
		return answers;
	}

	EngineConnections connections() {
		return connections;
	}

}
