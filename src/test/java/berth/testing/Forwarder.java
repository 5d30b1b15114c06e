package berth.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP listener on 127.0.0.1 that forwards to a local service and can be taken down and brought
 * back on the same port: an engine or a Redis that goes away and returns, without touching the real
 * one that other tests use.
 */
public final class Forwarder implements AutoCloseable {

	/** Opens the connection to the forwarded service. */
	private interface Target {

		SocketChannel connect() throws IOException;

	}

	private final Target target;

	private final int port;

	private volatile ServerSocketChannel server;

	private final List<SocketChannel> open = new CopyOnWriteArrayList<>();

	private final AtomicInteger accepted = new AtomicInteger();

	private final AtomicInteger active = new AtomicInteger();

	/** The request line each open connection carried last, by its client side. */
	private final java.util.Map<SocketChannel, String> lastRequest = new java.util.concurrent.ConcurrentHashMap<>();

	/** The first bytes that clients sent through this forwarder, for tests that check what reached the far side. */
	private final ByteArrayOutputStream sent = new ByteArrayOutputStream();

	private static final int SENT_KEPT = 8 * 1024 * 1024;

	/** Forwards to the local Docker engine's unix socket. */
	public static Forwarder toDockerEngine() {
		return new Forwarder(() -> {
			SocketChannel engine = SocketChannel.open(StandardProtocolFamily.UNIX);
			engine.connect(UnixDomainSocketAddress.of("/var/run/docker.sock"));
			return engine;
		});
	}

	/** Forwards to a TCP port on 127.0.0.1. */
	public static Forwarder toLocalPort(int port) {
		return new Forwarder(() -> SocketChannel.open(new InetSocketAddress("127.0.0.1", port)));
	}

	private Forwarder(Target target) {
		this.target = target;
		try (ServerSocket probe = new ServerSocket(0)) {
			port = probe.getLocalPort();
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	public int port() {
		return port;
	}

	/** Connections accepted since this forwarder was made. */
	public int accepted() {
		return accepted.get();
	}

	/** What clients have sent through this forwarder so far (its first 8 MiB), as ISO-8859-1 text. */
	public String sent() {
		synchronized (sent) {
			return sent.toString(StandardCharsets.ISO_8859_1);
		}
	}

	/** Connections still open: both directions not yet ended. */
	public int active() {
		return active.get();
	}

	/**
	 * Open connections whose latest request line starts with {@code start}: tells one stream's
	 * connection from the others a Berth keeps to the same engine (its event stream, pooled links).
	 */
	public long openCarrying(String start) {
		return lastRequest.values().stream().filter(line -> line.startsWith(start)).count();
	}

	/**
	 * Starts listening and makes it the engine of the Berth under test, reached over TCP. That Berth
	 * takes no teardowns on: they are of the real engine, and the test's engine goes away with it.
	 */
	public void serveAsEngine(org.springframework.test.context.DynamicPropertyRegistry registry) {
		start();
		registry.add("berth.backend.docker-host", () -> "tcp://127.0.0.1:" + port);
		registry.add("berth.teardown.enabled", () -> "false");
	}

	/** Starts listening; does nothing when it already listens. */
	public synchronized void start() {
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
					SocketChannel engine = target.connect();
					synchronized (this) {
						if (!listening.isOpen()) {
							// accepted while stop() ran: an outage must not keep a connection working
							closeQuietly(client);
							closeQuietly(engine);
							return;
						}
						open.add(client);
						open.add(engine);
					}
					accepted.incrementAndGet();
					active.incrementAndGet();
					AtomicInteger pumps = new AtomicInteger(2);
					Runnable ended = () -> {
						if (pumps.decrementAndGet() == 0) {
							closeQuietly(client);
							closeQuietly(engine);
							open.remove(client);
							open.remove(engine);
							lastRequest.remove(client);
							active.decrementAndGet();
						}
					};
					Thread.ofVirtual().start(() -> {
						pump(client, engine, true);
						ended.run();
					});
					Thread.ofVirtual().start(() -> {
						pump(engine, client, false);
						ended.run();
					});
				}
				catch (IOException e) {
					return;
				}
			}
		});
	}

	/** Stops listening and cuts every forwarded connection. */
	public synchronized void stop() {
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

	private void pump(SocketChannel from, SocketChannel to, boolean fromClient) {
		ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
		try {
			while (from.read(buffer) >= 0) {
				buffer.flip();
				if (fromClient) {
					record(buffer);
					noteRequestLine(from, buffer);
				}
				while (buffer.hasRemaining()) {
					to.write(buffer);
				}
				buffer.clear();
			}
			to.shutdownOutput();
		}
		catch (IOException e) {
			closeQuietly(from);
			closeQuietly(to);
		}
	}

	private void noteRequestLine(SocketChannel client, ByteBuffer buffer) {
		String start = StandardCharsets.ISO_8859_1.decode(buffer.duplicate()).toString();
		int end = start.indexOf("\r\n");
		String line = end < 0 ? start : start.substring(0, end);
		if (line.matches("[A-Z]+ /\\S* HTTP/1\\.[01]")) {
			lastRequest.put(client, line);
		}
	}

	private void record(ByteBuffer buffer) {
		synchronized (sent) {
			int kept = Math.min(buffer.remaining(), SENT_KEPT - sent.size());
			if (kept > 0) {
				sent.write(buffer.array(), buffer.arrayOffset() + buffer.position(), kept);
			}
		}
	}

	private static void closeQuietly(SocketChannel channel) {
		try {
			channel.close();
		}
		catch (IOException ignored) {
			// going away anyway
		}
	}

	@Override
	public void close() {
		stop();
	}

}
