package berth.routes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP listener on 127.0.0.1 that forwards to a local port and can be taken down and brought back on
 * the same port: a Redis that goes away and returns, without touching the real one others use.
 */
final class TcpForwarder implements AutoCloseable {

	private final int target;

	private final int port;

	private volatile ServerSocketChannel server;

	private final List<SocketChannel> open = new CopyOnWriteArrayList<>();

	TcpForwarder(int target) {
		this.target = target;
		try (ServerSocket probe = new ServerSocket(0)) {
			port = probe.getLocalPort();
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	int port() {
		return port;
	}

	synchronized void start() {
		if (server != null && server.isOpen()) {
			return;
		}
		try {
			server = ServerSocketChannel.open();
			server.setOption(java.net.StandardSocketOptions.SO_REUSEADDR, true);
			server.bind(new InetSocketAddress("127.0.0.1", port));
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		ServerSocketChannel listening = server;
		Thread.ofVirtual().start(() -> {
			while (listening.isOpen()) {
				try {
					SocketChannel client = listening.accept();
					SocketChannel upstream = SocketChannel.open(new InetSocketAddress("127.0.0.1", target));
					open.add(client);
					open.add(upstream);
					Thread.ofVirtual().start(() -> pump(client, upstream));
					Thread.ofVirtual().start(() -> pump(upstream, client));
				}
				catch (IOException e) {
					return;
				}
			}
		});
	}

	/** Stops listening and cuts every forwarded connection. */
	synchronized void stop() {
		try {
			if (server != null) {
				server.close();
			}
			for (SocketChannel channel : open) {
				channel.close();
			}
			open.clear();
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	private static void pump(SocketChannel from, SocketChannel to) {
		ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
		try {
			while (from.read(buffer) >= 0) {
				buffer.flip();
				while (buffer.hasRemaining()) {
					to.write(buffer);
				}
				buffer.clear();
			}
			to.shutdownOutput();
		}
		catch (IOException e) {
			try {
				from.close();
				to.close();
			}
			catch (IOException ignored) {
				// both ends are going away
			}
		}
	}

	@Override
	public void close() {
		stop();
	}

}
