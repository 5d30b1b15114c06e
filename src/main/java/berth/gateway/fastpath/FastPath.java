package berth.gateway.fastpath;

import java.util.ArrayDeque;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.jspecify.annotations.Nullable;

import berth.gateway.ImagePaths;

/**
 * The fast path of one client connection, right behind the HTTP codec. A request it
 * {@link FastPathSupport#carries carries} is handled by a {@link FastExchange} here, without the
 * gateway; any other request goes on: to the hijack handler, which takes upgrades and refuses
 * malformed targets, and through it to reactor-netty and the gateway's filters.
 * <p>
 * One exchange at a time, in the order the client sent them: while the gateway answers a request,
 * every message goes to it (pipelined ones included, which it queues itself), and the fast path takes
 * over only once the gateway's last response has been written and its request read to the end. While
 * an exchange of the fast path runs, requests pipelined behind it wait here and nothing more is read.
 */
final class FastPath extends ChannelDuplexHandler {

	static final String NAME = "berth.fast";

	private enum State {

		/** between exchanges */
		IDLE,
		/** a {@link FastExchange} has the connection */
		FAST,
		/** the gateway has the connection */
		GATEWAY

	}

	private final FastPathSupport support;

	private State state = State.IDLE;

	private @Nullable FastExchange exchange;

	/** Responses the gateway still owes, and whether the request it reads last has more to come. */
	private int gatewayResponses;

	private boolean gatewayRequestOpen;

	private boolean gatewayInformational;

	/** Messages read while an exchange of the fast path was busy: requests pipelined behind it. */
	private final ArrayDeque<Object> held = new ArrayDeque<>(0);

	private boolean draining;

	/**
	 * The rest of a request that was answered before it was read to the end is read and dropped (at
	 * most {@link berth.gateway.admission.RequestBodies#DRAIN_LIMIT} bytes of body): a client still sending it would
	 * otherwise meet a closed connection instead of reading the answer.
	 */
	private boolean skipping;

	private long skipped;

	private boolean closeAfterSkip;

	private @Nullable ChannelHandlerContext ctx;

	FastPath(FastPathSupport support) {
		this.support = support;
	}

	@Override
	public void handlerAdded(ChannelHandlerContext ctx) {
		this.ctx = ctx;
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (msg instanceof HttpRequest head) {
			ImagePaths.decode(head);
		}
		dispatch(ctx, msg);
	}

	private void dispatch(ChannelHandlerContext ctx, Object msg) {
		if (skipping) {
			skip(ctx, msg);
			return;
		}
		switch (state) {
			case IDLE -> {
				if (msg instanceof HttpRequest head && support.carries(head)) {
					state = State.FAST;
					FastExchange started = new FastExchange(this, ctx, support, head);
					exchange = started;
					started.start();
				}
				else {
					toGateway(ctx, msg);
				}
			}
			case GATEWAY -> toGateway(ctx, msg);
			case FAST -> {
				FastExchange current = exchange;
				if (current != null && current.requestOpen()) {
					current.content(msg);
				}
				else {
					held.add(msg);
				}
			}
		}
	}

	private void toGateway(ChannelHandlerContext ctx, Object msg) {
		if (msg instanceof HttpRequest) {
			state = State.GATEWAY;
			gatewayResponses++;
			gatewayRequestOpen = true;
		}
		if (msg instanceof LastHttpContent) {
			gatewayRequestOpen = false;
		}
		ctx.fireChannelRead(msg);
		gatewayDone();
	}

	@Override
	public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
		if (state == State.GATEWAY) {
			if (msg instanceof HttpResponse response) {
				gatewayInformational = response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
			}
			if (msg instanceof LastHttpContent && !gatewayInformational) {
				gatewayResponses--;
			}
			ctx.write(msg, promise);
			gatewayDone();
			return;
		}
		ctx.write(msg, promise);
	}

	/** The gateway has answered everything it was given and read its last request to the end. */
	private void gatewayDone() {
		if (state == State.GATEWAY && gatewayResponses <= 0 && !gatewayRequestOpen) {
			gatewayResponses = 0;
			state = State.IDLE;
		}
	}

	/**
	 * The exchange is over. When the connection stays open, whatever was pipelined behind it is taken
	 * up, and the next request read. A request the client has not finished sending is read to its end
	 * first, and dropped; then the connection closes if {@code closing}.
	 */
	void finished(FastExchange done, boolean closing) {
		if (exchange != done) {
			return;
		}
		exchange = null;
		state = State.IDLE;
		ChannelHandlerContext context = ctx;
		if (done.requestOpen() && context != null) {
			skipping = true;
			skipped = 0;
			closeAfterSkip = closing;
			context.channel().config().setAutoRead(true);
			return;
		}
		if (closing) {
			releaseHeld();
			return;
		}
		drain();
	}

	private void skip(ChannelHandlerContext ctx, Object msg) {
		boolean broken = false;
		if (msg instanceof HttpContent content) {
			skipped += content.content().readableBytes();
			// a body the codec cannot frame: nothing after it can be read as a request
			broken = content.decoderResult().isFailure();
		}
		boolean last = msg instanceof LastHttpContent;
		ReferenceCountUtil.release(msg);
		if (!last && !broken && skipped <= berth.gateway.admission.RequestBodies.DRAIN_LIMIT) {
			return;
		}
		skipping = false;
		ctx.channel().config().setAutoRead(false);
		if (!last || broken || closeAfterSkip) {
			releaseHeld();
			ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
			return;
		}
		drain();
	}

	private void drain() {
		ChannelHandlerContext context = ctx;
		if (draining || context == null) {
			return;
		}
		draining = true;
		try {
			while (!held.isEmpty()) {
				FastExchange current = exchange;
				if (state == State.FAST && (current == null || !current.requestOpen())) {
					return;
				}
				dispatch(context, held.poll());
			}
		}
		finally {
			draining = false;
		}
		if (state == State.IDLE && context.channel().isActive()) {
			context.read();
		}
	}

	@Override
	public void channelReadComplete(ChannelHandlerContext ctx) {
		FastExchange current = exchange;
		if (current != null) {
			current.clientReadComplete();
		}
		ctx.fireChannelReadComplete();
	}

	@Override
	public void channelWritabilityChanged(ChannelHandlerContext ctx) {
		FastExchange current = exchange;
		if (current != null) {
			current.clientWritabilityChanged();
		}
		ctx.fireChannelWritabilityChanged();
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) {
		FastExchange current = exchange;
		if (current != null) {
			current.clientClosed();
		}
		releaseHeld();
		ctx.fireChannelInactive();
	}

	@Override
	public void handlerRemoved(ChannelHandlerContext ctx) {
		releaseHeld();
	}

	private void releaseHeld() {
		Object msg;
		while ((msg = held.poll()) != null) {
			ReferenceCountUtil.release(msg);
		}
	}

}
