package berth.gateway.hijack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;

/**
 * The Netty epoll bug {@link EpollRegistration} works around, reproduced with Netty alone: a server
 * channel whose client has half-closed writes more than the socket buffers hold, and the client
 * counts what arrives before the end of the stream.
 */
class EpollRegistrationTest {

	private static final int SIZE = 8 * 1024 * 1024;

	private static final int BUFFER = 64 * 1024;

	@Test
	void aHalfClosedChannelKeptRegisteredDeliversEverything() throws Exception {
		assertThat(receivedAfterHalfClose(true)).as("bytes received from the kept channel").isEqualTo(SIZE);
	}

	@Test
	void nettyStillCutsAHalfClosedChannelShortWithoutTheWorkaround() throws Exception {
		assertThat(receivedAfterHalfClose(false))
			.as("bytes received without the workaround; all of them means this Netty has fixed its epoll "
					+ "registration bug, and EpollRegistration can go")
			.isLessThan(SIZE);
	}

	private static long receivedAfterHalfClose(boolean keep) throws Exception {
		EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
		try {
			Channel server = new ServerBootstrap().group(group)
				.channel(EpollServerSocketChannel.class)
				.childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
				.childOption(ChannelOption.SO_SNDBUF, BUFFER)
				.childHandler(new SendAfterHalfClose(keep))
				.bind(InetAddress.getLoopbackAddress(), 0)
				.sync()
				.channel();
			try (Socket client = new Socket()) {
				client.setReceiveBufferSize(BUFFER);
				client.setSoTimeout(20_000);
				client.connect(server.localAddress());
				client.shutdownOutput();
				// Not reading for a moment fills the socket buffers: the server has to wait for EPOLLOUT.
				Thread.sleep(600);
				return count(client.getInputStream());
			}
		}
		finally {
			group.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
		}
	}

	private static long count(InputStream in) throws IOException {
		byte[] buffer = new byte[BUFFER];
		long total = 0;
		for (int read; (read = in.read(buffer)) >= 0;) {
			total += read;
		}
		return total;
	}

	/** Once the client's FIN is in (and its input no longer polled), writes SIZE bytes and closes. */
	private static final class SendAfterHalfClose extends ChannelInboundHandlerAdapter {

		private final boolean keep;

		SendAfterHalfClose(boolean keep) {
			this.keep = keep;
		}

		@Override
		public void channelActive(ChannelHandlerContext ctx) {
			if (keep) {
				EpollRegistration.keep(ctx.channel());
			}
		}

		@Override
		public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
			if (evt instanceof ChannelInputShutdownEvent) {
				ctx.executor()
					.schedule(() -> ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[SIZE]))
						.addListener(ChannelFutureListener.CLOSE), 200, TimeUnit.MILLISECONDS);
			}
			ReferenceCountUtil.release(evt);
		}

	}

}
