package berth.gateway.hijack;

import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import reactor.core.publisher.Mono;

import berth.gateway.DockerRoute;
import berth.gateway.ErrorResponses;
import berth.gateway.ForwardedHeaders;
import berth.gateway.NettyHeaders;
import berth.gateway.PeerCertificates;
import berth.policy.Endpoints;
import berth.backend.Engine;
import berth.gateway.admission.Admission;
import berth.gateway.admission.Forward;
import berth.metrics.GatewayMetrics;
import berth.policy.PolicyRefusal;
import berth.metrics.GatewayMetrics.Direction;
import berth.web.DockerApiException;
import berth.web.DockerErrors;

/**
 * Carries the Docker API's hijacked connections, which the gateway cannot: attach and exec start
 * ({@code Upgrade: tcp}) and BuildKit's {@code /session} and {@code /grpc} ({@code Upgrade: h2c}).
 * It sits right behind the HTTP codec of the tenant port. An upgrade request to one of those
 * endpoints is authenticated like any other request, sent to the tenant's engine, and the engine's
 * answer relayed: a 101 head as the engine wrote it, after which both pipelines drop their HTTP
 * handlers and the bytes are relayed raw; any other answer is relayed as an ordinary response and the
 * connection closed, so nothing unauthenticated can follow on it. Other requests pass untouched.
 */
final class HijackHandler extends ChannelDuplexHandler {

	static final String NAME = "berth.hijack";

	private static final Logger log = LoggerFactory.getLogger(HijackHandler.class);

	/** Attach and exec-start bodies are small JSON objects. */
	private static final int MAX_BODY = 64 * 1024;

	private enum State {

		PASSING, COLLECTING, DIALING, RELAYING

	}

	private final HijackSupport support;

	private State state = State.PASSING;

	private HttpRequest request;

	private String template;

	private CompositeByteBuf body;

	HijackHandler(HijackSupport support) {
		this.support = support;
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		switch (state) {
			case PASSING -> {
				if (msg instanceof HttpRequest head && !targetAccepted(ctx, head)) {
					state = State.DIALING;
					ReferenceCountUtil.release(msg);
				}
				else if (msg instanceof HttpRequest head && isUpgrade(head)) {
					state = State.COLLECTING;
					request = head;
					body = ctx.alloc().compositeBuffer();
					collect(ctx, msg);
				}
				else {
					ctx.fireChannelRead(msg);
				}
			}
			case COLLECTING -> collect(ctx, msg);
			default -> ReferenceCountUtil.release(msg);
		}
	}

	/** Malformed targets are answered here, in the engine's error shape, before any other reader. */
	private boolean targetAccepted(ChannelHandlerContext ctx, HttpRequest head) {
		String target = head.uri();
		int query = target.indexOf('?');
		if (DockerRoute.isBerthPath(query < 0 ? target : target.substring(0, query))) {
			return true;
		}
		try {
			support.policy().checkTarget(head.uri());
			return true;
		}
		catch (PolicyRefusal refusal) {
			request = head;
			template = "malformed";
			refuse(ctx, refusal);
			return false;
		}
	}

	private boolean isUpgrade(HttpRequest head) {
		if (!head.headers().contains(HttpHeaderNames.UPGRADE)) {
			return false;
		}
		template = Endpoints.template(new QueryStringDecoder(head.uri()).rawPath());
		return Endpoints.upgrades(template);
	}

	private void collect(ChannelHandlerContext ctx, Object msg) {
		try {
			if (msg instanceof HttpContent content) {
				if (body.readableBytes() + content.content().readableBytes() > MAX_BODY) {
					state = State.DIALING;
					refuse(ctx, new DockerApiException(HttpStatus.PAYLOAD_TOO_LARGE, "request body too large"));
					return;
				}
				body.addComponent(true, content.content().retain());
			}
			if (msg instanceof LastHttpContent) {
				state = State.DIALING;
				ctx.channel().config().setAutoRead(false);
				admit(ctx);
			}
			else {
				// reactor-netty reads on demand (auto-read off) and only its own handlers ask for
				// more; they never see this request, so ask here, or a body that arrives in a later
				// segment than the head waits until the client gives up.
				ctx.read();
			}
		}
		finally {
			ReferenceCountUtil.release(msg);
		}
	}

	private void admit(ChannelHandlerContext ctx) {
		byte[] bytes = new byte[body.readableBytes()];
		body.readBytes(bytes);
		body.release();
		body = null;
		support.admission()
			.admit(request.method().name(), request.uri(), NettyHeaders.of(request.headers()),
					Admission.BodyReader.of(bytes), new Admission.Connection(PeerCertificates.of(ctx.channel())))
			.switchIfEmpty(Mono.error(() -> new IllegalStateException("the hijacked request was neither admitted nor refused")))
			.subscribe(forward -> ctx.executor().execute(() -> dial(ctx, forward, bytes)),
					error -> ctx.executor().execute(() -> refuse(ctx, error)));
	}

	private void dial(ChannelHandlerContext ctx, Forward forward, byte[] received) {
		if (!ctx.channel().isActive()) {
			forward.after().run();
			return;
		}
		// the hijacked stream lasts as long as the connection: what a rule holds ends with it
		ctx.channel().closeFuture().addListener(closed -> forward.after().run());
		Engine engine = forward.engine();
		byte[] checkedBody = forward.checkedBody() != null ? forward.checkedBody() : received;
		EngineAnswer answer = new EngineAnswer(ctx);
		engine.dial(ctx.channel().eventLoop(), ctx.channel()).handler(new ChannelInitializer<Channel>() {
			@Override
			protected void initChannel(Channel channel) {
				engine.secure(channel);
				channel.pipeline().addLast("codec", new HttpClientCodec()).addLast("answer", answer);
			}
		}).connect().addListener((ChannelFutureListener) connected -> {
			if (!connected.isSuccess()) {
				refuse(ctx, new DockerApiException(HttpStatus.BAD_GATEWAY, "the Docker engine is not reachable right now"));
				return;
			}
			Channel engineChannel = connected.channel();
			// Once relaying, the relay closes the engine side after flushing what the client sent.
			ctx.channel().closeFuture().addListener(closed -> {
				if (state != State.RELAYING) {
					engineChannel.close();
				}
			});
			engineChannel.writeAndFlush(forwarded(forward, checkedBody));
		});
	}

	/** The upgrade request as the engine gets it: the admitted target and body, forwarded headers only. */
	private DefaultFullHttpRequest forwarded(Forward forward, byte[] checkedBody) {
		DefaultFullHttpRequest out = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, request.method(),
				forward.target(), Unpooled.wrappedBuffer(checkedBody));
		out.headers().set(request.headers());
		ForwardedHeaders.toEngine(out.headers(), forward.engine(), true);
		out.headers().set(HttpHeaderNames.CONTENT_LENGTH, out.content().readableBytes());
		return out;
	}

	private void refuse(ChannelHandlerContext ctx, Throwable error) {
		if (body != null) {
			body.release();
			body = null;
		}
		DefaultFullHttpResponse response = ErrorResponses.of(DockerErrors.answerFor(error, request.method().name(), template));
		response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
		ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
	}

	/**
	 * Works around reactor-netty 1.3.6 losing the read on a keep-alive connection (reactor-netty
	 * issue 4361, fixed by PR 4347 after 1.3.6): when the client's next request arrives before the
	 * previous exchange has fully terminated, reactor-netty buffers it, and if that request is then
	 * answered at once (Berth's own 401/403 refusals are), nobody asks for the next read and the
	 * connection hangs until the client gives up. `docker ps` with a revoked or unknown key hung that
	 * way about one run in fifteen. Asking for a read once a response has been written, after
	 * reactor-netty's own bookkeeping for it has run, is what reactor-netty itself does in every
	 * other case. Remove with a reactor-netty that has the fix.
	 */
	@Override
	public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
		boolean responseEnd = state == State.PASSING && msg instanceof LastHttpContent;
		ctx.write(msg, promise);
		if (responseEnd) {
			ctx.executor().execute(() -> {
				if (state == State.PASSING && ctx.channel().isActive() && !ctx.channel().config().isAutoRead()) {
					ctx.read();
				}
			});
		}
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) {
		if (body != null) {
			body.release();
			body = null;
		}
		ctx.fireChannelInactive();
	}

	/** Reads the engine's answer to the upgrade request, on the engine connection. */
	private final class EngineAnswer extends ChannelInboundHandlerAdapter {

		private final ChannelHandlerContext client;

		private boolean ordinary;

		EngineAnswer(ChannelHandlerContext client) {
			this.client = client;
		}

		@Override
		public void channelRead(ChannelHandlerContext engine, Object msg) {
			if (msg instanceof HttpResponse head && !ordinary) {
				if (head.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
					switchToRelay(engine, head);
					return;
				}
				ordinary = true;
				head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
			}
			boolean last = msg instanceof LastHttpContent;
			var written = client.writeAndFlush(msg);
			if (last) {
				written.addListener(ChannelFutureListener.CLOSE);
				engine.close();
			}
		}

		/** The engine said 101: relay the head, drop HTTP from both pipelines, splice. */
		private void switchToRelay(ChannelHandlerContext engine, HttpResponse head) {
			Channel clientChannel = client.channel();
			Channel engineChannel = engine.channel();
			client.writeAndFlush(new DefaultHttpResponse(head.protocolVersion(), head.status(), head.headers().copy()));
			ReferenceCountUtil.release(head);

			Relay up = new Relay(Direction.UPSTREAM, support.metrics());
			Relay down = new Relay(Direction.DOWNSTREAM, support.metrics());
			up.peer(engineChannel);
			down.peer(clientChannel);

			ChannelPipeline enginePipeline = engineChannel.pipeline();
			enginePipeline.replace(this, "relay", down);
			enginePipeline.remove("codec");

			ChannelPipeline clientPipeline = clientChannel.pipeline();
			clientPipeline.replace(HijackHandler.this, "berth.relay", up);
			for (String name : httpHandlers(clientPipeline)) {
				clientPipeline.remove(name);
			}
			clientChannel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
			state = State.RELAYING;
			support.metrics().hijackOpened(template);
			clientChannel.closeFuture().addListener(closed -> support.metrics().hijackClosed());
			up.arm(clientChannel);
			down.arm(engineChannel);
		}

		@Override
		public void channelInactive(ChannelHandlerContext engine) {
			if (!ordinary) {
				refuse(client, new DockerApiException(HttpStatus.BAD_GATEWAY, "the Docker engine closed the connection"));
			}
			else {
				client.close();
			}
		}

		@Override
		public void exceptionCaught(ChannelHandlerContext engine, Throwable cause) {
			log.debug("engine connection failed during upgrade", cause);
			engine.close();
		}

	}

	/** The reactor-netty HTTP handlers: the codec and everything behind it, except the relay. */
	private static List<String> httpHandlers(ChannelPipeline pipeline) {
		List<String> names = pipeline.names();
		List<String> remove = new ArrayList<>();
		int codec = names.indexOf(HijackSupport.HTTP_CODEC);
		for (int i = Math.max(codec, 0); i < names.size(); i++) {
			String name = names.get(i);
			if (!name.equals("berth.relay") && pipeline.get(name) != null) {
				remove.add(name);
			}
		}
		return remove;
	}

}
