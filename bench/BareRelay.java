import java.net.InetSocketAddress;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.AbstractEpollStreamChannel;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;

/**
 * The benchmark's floor: a relay from a loopback TCP port to the engine's unix socket that does
 * nothing but move bytes, both ways, with the kernel's {@code splice} (no HTTP, no checks, no copy
 * through user space). What a copy through it costs is what any proxy in front of the engine costs
 * on this machine, before it does any work of its own. It is not a usable proxy: a side that ends
 * its output closes the relay (no half-close), which cuts {@code docker run -i} short.
 * <p>
 * Run by {@code bench/run} with the source launcher and the Netty jars taken out of berth.jar:
 * {@code java -cp 'netty/*' bench/BareRelay.java PORT SOCKET}. Listens on 127.0.0.1 only.
 */
public final class BareRelay {

	private BareRelay() {
	}

	public static void main(String[] args) throws InterruptedException {
		if (args.length != 2) {
			System.err.println("usage: BareRelay PORT SOCKET");
			System.exit(2);
		}
		int port = Integer.parseInt(args[0]);
		DomainSocketAddress engine = new DomainSocketAddress(args[1]);
		EventLoopGroup loops = new MultiThreadIoEventLoopGroup(2, EpollIoHandler.newFactory());
		new ServerBootstrap().group(loops)
			.channel(EpollServerSocketChannel.class)
			.childOption(ChannelOption.AUTO_READ, false)
			.childHandler(new ChannelInitializer<EpollSocketChannel>() {
				@Override
				protected void initChannel(EpollSocketChannel client) {
					client.pipeline().addLast(new ChannelInboundHandlerAdapter() {
						@Override
						public void channelActive(ChannelHandlerContext ctx) {
							connect(client, engine);
						}
					});
				}
			})
			.bind(new InetSocketAddress("127.0.0.1", port))
			.sync();
		System.out.println("bare relay on 127.0.0.1:" + port + " -> " + args[1]);
		Thread.currentThread().join();
	}

	/** The engine connection lives on the client's event loop: splicing needs both on one loop. */
	private static void connect(EpollSocketChannel client, DomainSocketAddress engine) {
		new Bootstrap().group(client.eventLoop())
			.channel(EpollDomainSocketChannel.class)
			.option(ChannelOption.AUTO_READ, false)
			.handler(new ChannelInboundHandlerAdapter())
			.connect(engine)
			.addListener((ChannelFuture connected) -> {
				if (!connected.isSuccess()) {
					client.close();
					return;
				}
				EpollDomainSocketChannel upstream = (EpollDomainSocketChannel) connected.channel();
				splice(client, upstream);
				splice(upstream, client);
				client.closeFuture().addListener(closed -> upstream.close());
				upstream.closeFuture().addListener(closed -> client.close());
			});
	}

	/** Everything {@code from} reads goes to {@code to}, until either side ends. */
	private static void splice(AbstractEpollStreamChannel from, AbstractEpollStreamChannel to) {
		from.spliceTo(to, Integer.MAX_VALUE).addListener(ended -> {
			from.close();
			to.close();
		});
		from.config().setAutoRead(true);
	}

}
