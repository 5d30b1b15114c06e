package berth.gateway.hijack;

import java.util.ArrayDeque;
import java.util.Queue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;

import berth.metrics.GatewayMetrics;
import berth.metrics.GatewayMetrics.Direction;

/**
 * One direction of a hijacked connection: bytes read on this channel are written to the peer, as
 * they come. End of input here becomes {@code shutdownOutput()} on the peer once what was read is
 * flushed (the half-close of {@code echo hi | docker run -i}); a side is closed as soon as both of
 * its directions are done, and a full close closes the peer once what was read is flushed. On the
 * TLS port a client's close_notify is its end of input, and its end of output is a close_notify
 * before the socket's half-close. A client reads on after its close_notify under TLS 1.3, which
 * Docker clients speak; TLS 1.2 has no half-close (a close_notify there ends both directions).
 * Backpressure: reading stops while the peer cannot take more, and resumes when it can.
 */
final class Relay extends ChannelInboundHandlerAdapter {

	private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Relay.class);

	private final Direction direction;

	private final GatewayMetrics metrics;

	private Channel peer;

	private boolean armed;

	private final Queue<ByteBuf> early = new ArrayDeque<>();

	Relay(Direction direction, GatewayMetrics metrics) {
		this.direction = direction;
		this.metrics = metrics;
	}

	void peer(Channel peer) {
		this.peer = peer;
	}

	/** Starts writing to the peer, after both pipelines have dropped their HTTP handlers. */
	void arm(Channel self) {
		armed = true;
		EpollRegistration.keep(self);
		while (!early.isEmpty()) {
			forward(self, early.poll());
		}
		peer.flush();
		// Reading resumes now unless the peer is already full; then its writability event resumes it.
		self.config().setAutoRead(peer.isWritable() && canRead(self));
	}

	private boolean inputEnded;

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (inputEnded) {
			LOG.debug("relay {} read after its input ended", direction);
		}
		ByteBuf bytes = bytesOf(msg);
		if (bytes == null) {
			return;
		}
		if (armed) {
			forward(ctx.channel(), bytes);
		}
		else {
			early.add(bytes);
		}
	}

	private void forward(Channel self, ByteBuf bytes) {
		metrics.hijackBytes(direction, bytes.readableBytes());
		peer.write(bytes, peer.voidPromise());
		if (!peer.isWritable()) {
			// Stop reading before flushing: a flush that drains the peer at once fires its
			// writability event (which resumes reading here) inside flush(), and a stop after it
			// would never be undone.
			self.config().setAutoRead(false);
			peer.flush();
		}
	}

	/**
	 * Whether reading can resume on a channel: not once its input has ended, as there is nothing
	 * left to read. (Before {@link EpollRegistration}, asking anyway failed with epoll_ctl ENOENT
	 * and closed both sides before the engine's answer to a half-closed stdin got through.)
	 */
	private static boolean canRead(Channel channel) {
		return channel.isActive() && !inputEnded(channel);
	}

	/**
	 * Whether a side's input has ended: the socket's, or over TLS the client's close_notify, which
	 * ends what the client sends while the socket stays open for what it still has to read.
	 */
	private static boolean inputEnded(Channel channel) {
		return channel instanceof DuplexChannel duplex && duplex.isInputShutdown()
				|| Boolean.TRUE.equals(channel.attr(INPUT_ENDED).get());
	}

	private static final AttributeKey<Boolean> INPUT_ENDED = AttributeKey.valueOf(Relay.class, "inputEnded");

	private static ByteBuf bytesOf(Object msg) {
		if (msg instanceof ByteBuf buf) {
			return buf;
		}
		if (msg instanceof HttpContent content && content.content().isReadable()) {
			return content.content();
		}
		ReferenceCountUtil.release(msg);
		return null;
	}

	@Override
	public void channelReadComplete(ChannelHandlerContext ctx) {
		if (armed) {
			peer.flush();
		}
	}

	@Override
	public void channelWritabilityChanged(ChannelHandlerContext ctx) {
		if (ctx.channel().isWritable() && canRead(peer)) {
			peer.config().setAutoRead(true);
		}
		ctx.fireChannelWritabilityChanged();
	}

	@Override
	public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
		if (evt instanceof ChannelInputShutdownEvent || evt == SslCloseCompletionEvent.SUCCESS) {
			if (inputEnded) {
				ReferenceCountUtil.release(evt);
				return;
			}
			inputEnded = true;
			ctx.channel().attr(INPUT_ENDED).set(Boolean.TRUE);
			if (peer instanceof DuplexChannel duplex && peer.isActive()) {
				// Written after everything read here, so done once the peer has all of it.
				peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(written -> {
					if (written.isSuccess()) {
						shutdownOutput(duplex).addListener(shut -> closeIfDone(peer));
					}
					else {
						peer.close();
					}
				});
				// If the other direction ended before, nothing is left to do on this side.
				closeIfDone(ctx.channel());
			}
			else {
				peer.close();
				ctx.close();
			}
		}
		ReferenceCountUtil.release(evt);
	}

	/**
	 * Closes a side whose input has ended and whose output is shut. Left open, it would stay in
	 * epoll with both directions shut, and epoll would wake its event loop for it again and again.
	 * Closing it closes the other side once what was written to that is flushed.
	 */
	private static void closeIfDone(Channel side) {
		if (side instanceof DuplexChannel duplex && inputEnded(side) && duplex.isOutputShutdown()) {
			side.close();
		}
	}

	/**
	 * Ends what is sent on a side: over TLS a close_notify first (Docker clients read it as the end of
	 * the output; TLS 1.3 keeps the other direction open), then the socket's half-close.
	 */
	private static ChannelFuture shutdownOutput(DuplexChannel side) {
		SslHandler ssl = side.pipeline().get(SslHandler.class);
		if (ssl == null) {
			return side.shutdownOutput();
		}
		ChannelPromise shut = side.newPromise();
		ssl.closeOutbound().addListener(notified -> side.shutdownOutput(shut));
		return shut;
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) {
		while (!early.isEmpty()) {
			early.poll().release();
		}
		if (peer.isActive()) {
			peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
			if (direction == Direction.UPSTREAM) {
				// the client left: an engine that stopped reading (a process that never reads its stdin)
				// would hold the flush, and with it the engine connection, for ever. The other way
				// round the client may be slow to read the end of the output, which must not be lost.
				peer.eventLoop().schedule(() -> peer.close(), CLOSE_GRACE_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
			}
		}
	}

	/** How long what the client sent gets to reach the engine once the client has gone. */
	private static final long CLOSE_GRACE_SECONDS = 10;

	@Override
	public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
		LOG.debug("relay {} failed: {}", direction, cause.toString());
		ctx.close();
		peer.close();
	}

}
