package berth.gateway.fastpath;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.BiConsumer;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.FastThreadLocal;
import org.jspecify.annotations.Nullable;

import berth.backend.Engine;

/**
 * Keep-alive HTTP connections to engines for the fast path, pooled per event loop: a client
 * connection borrows one on its own loop, so both ends of an exchange are served by one thread and
 * nothing is shared between threads. At most {@value #MAX_IDLE} idle connections per engine and loop
 * are kept, none longer than {@value #IDLE_MILLIS} ms.
 */
final class EngineConnections {

	static final int MAX_IDLE = 64;

	static final long IDLE_MILLIS = 30_000;

	/**
	 * How much may wait to be written before a stream pauses its reads: with Netty's 32/64 KiB, a
	 * streamed body stops and restarts reading for every 64 KiB read.
	 */
	/**
	 * The send buffer of a unix socket towards the engine. Its default (about 200 KiB) takes a
	 * fraction of a burst of upload, and every full buffer costs a wait for writability; with 1 MiB a
	 * 1 GiB {@code docker cp} in ran about 5 % faster (bench/run's copy, alternating A/B runs).
	 */
	private static final int SEND_BUFFER = 1024 * 1024;

	static final WriteBufferWaterMark STREAMING = new WriteBufferWaterMark(256 * 1024, 1024 * 1024);

	/** Engines are trusted to send valid headers; bodies arrive in pieces of up to 64 KiB. */
	private static final HttpDecoderConfig ENGINE_DECODER = new HttpDecoderConfig().setValidateHeaders(false)
		.setMaxChunkSize(64 * 1024);

	/** What an exchange that borrowed a connection hears from it. */
	interface Listener {

		void engineRead(Object msg);

		void engineReadComplete();

		void engineWritable();

		void engineClosed();

	}

	/** The end of an engine connection's pipeline: hands what arrives to the exchange holding it. */
	static final class Link extends ChannelInboundHandlerAdapter {

		private final Engine engine;

		private @Nullable Listener listener;

		private @Nullable Channel channel;

		private long idleSince;

		/** Whether the connection has carried an exchange before (a stale one may be closed under it). */
		private boolean used;

		Link(Engine engine) {
			this.engine = engine;
		}

		/** Whether the connection has carried an exchange before this one. */
		boolean reused() {
			return used;
		}

		Channel channel() {
			if (channel == null) {
				throw new IllegalStateException("engine link not in a pipeline");
			}
			return channel;
		}

		@Override
		public void handlerAdded(ChannelHandlerContext ctx) {
			channel = ctx.channel();
		}

		@Override
		public void channelRead(ChannelHandlerContext ctx, Object msg) {
			if (listener != null) {
				listener.engineRead(msg);
			}
			else {
				// nothing is asked of an idle connection: whatever comes is not for anyone
				ReferenceCountUtil.release(msg);
				ctx.close();
			}
		}

		@Override
		public void channelReadComplete(ChannelHandlerContext ctx) {
			if (listener != null) {
				listener.engineReadComplete();
			}
		}

		@Override
		public void channelWritabilityChanged(ChannelHandlerContext ctx) {
			if (listener != null && ctx.channel().isWritable()) {
				listener.engineWritable();
			}
		}

		@Override
		public void channelInactive(ChannelHandlerContext ctx) {
			Listener current = listener;
			listener = null;
			if (current != null) {
				current.engineClosed();
			}
		}

		@Override
		public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
			ctx.close();
		}

	}

	/** The idle connections of one event loop, by engine; used only from that loop's thread. */
	private final FastThreadLocal<Map<Engine, ArrayDeque<Link>>> idle = new FastThreadLocal<>() {
		@Override
		protected Map<Engine, ArrayDeque<Link>> initialValue() {
			return new IdentityHashMap<>();
		}
	};

	/**
	 * Lends a connection to the engine, on the client's event loop: an idle one at once, else a new
	 * one once connected. The callback gets the connection, or the reason it could not connect.
	 */
	void acquire(Engine engine, Channel client, Listener listener, BiConsumer<@Nullable Link, @Nullable Throwable> then) {
		ArrayDeque<Link> idleHere = idle.get().get(engine);
		if (idleHere != null) {
			Link link;
			while ((link = idleHere.pollFirst()) != null) {
				if (link.channel().isActive()) {
					link.listener = listener;
					then.accept(link, null);
					return;
				}
				link.channel().close();
			}
		}
		Link link = new Link(engine);
		engine.dial(client.eventLoop(), client)
			.option(ChannelOption.ALLOW_HALF_CLOSURE, false)
			.option(ChannelOption.WRITE_BUFFER_WATER_MARK, STREAMING)
			.option(ChannelOption.RCVBUF_ALLOCATOR, FastPathSupport.LARGE_READS)
			// a TCP socket sizes its own buffer, unless told a size
			.option(ChannelOption.SO_SNDBUF, engine.address().isUnixSocket() ? SEND_BUFFER : null)
			.handler(new ChannelInitializer<Channel>() {
				@Override
				protected void initChannel(Channel channel) {
					engine.secure(channel);
					channel.pipeline()
						.addLast("codec", new HttpClientCodec(ENGINE_DECODER, false, false))
						.addLast("link", link);
				}
			})
			.connect()
			.addListener((ChannelFutureListener) connected -> {
				if (!connected.isSuccess()) {
					then.accept(null, connected.cause());
				}
				else if (!connected.channel().isActive()) {
					then.accept(null, new IOException("the engine closed the connection at once"));
				}
				else {
					link.listener = listener;
					then.accept(link, null);
				}
			});
	}

	/**
	 * Takes back a connection whose exchange is complete on both sides, for the next exchange on this
	 * loop; closes it when the loop already keeps enough idle ones.
	 */
	void release(Link link) {
		Channel channel = link.channel();
		link.listener = null;
		if (!channel.isActive()) {
			return;
		}
		link.used = true;
		channel.config().setAutoRead(true);
		long now = System.currentTimeMillis();
		link.idleSince = now;
		ArrayDeque<Link> idleHere = idle.get().computeIfAbsent(link.engine, engine -> new ArrayDeque<>());
		Link oldest = idleHere.peekLast();
		if (oldest != null && (!oldest.channel().isActive() || now - oldest.idleSince > IDLE_MILLIS)) {
			idleHere.pollLast();
			oldest.channel().close();
		}
		if (idleHere.size() >= MAX_IDLE) {
			channel.close();
			return;
		}
		idleHere.addFirst(link);
	}

	/** Closes a connection whose exchange did not complete cleanly. */
	static void discard(Link link) {
		link.listener = null;
		link.channel().close();
	}

}
