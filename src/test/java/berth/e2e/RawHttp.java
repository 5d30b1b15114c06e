package berth.e2e;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for what java.net.http cannot send or receive: a Host header of our
 * choosing, and a 101 upgrade after which the connection is a raw byte stream.
 */
final class RawHttp implements AutoCloseable {

	/** A response head: status line and headers (names lowercased). */
	record Head(String statusLine, int status, Map<String, String> headers) {

		String header(String name) {
			return headers.get(name.toLowerCase(Locale.ROOT));
		}

	}

	private final Closeable connection;

	private final InputStream in;

	private final OutputStream out;

	/** A TCP connection to 127.0.0.1:port, with a 20 s read timeout. */
	RawHttp(int port) {
		try {
			Socket socket = new Socket();
			socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
			socket.setSoTimeout(20_000);
			connection = socket;
			in = socket.getInputStream();
			out = socket.getOutputStream();
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	/** A connection to a unix socket (the engine's own), no read timeout: for answers that come at once. */
	RawHttp(Path unixSocket) {
		try {
			SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(unixSocket));
			connection = channel;
			in = Channels.newInputStream(channel);
			out = Channels.newOutputStream(channel);
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	/** Sends a request; {@code headers} are complete header lines without CRLF. */
	RawHttp send(String method, String target, String... headers) {
		StringBuilder request = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
		for (String header : headers) {
			request.append(header).append("\r\n");
		}
		request.append("\r\n");
		try {
			out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
			out.flush();
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		return this;
	}

	/** Reads the response head, byte by byte, so nothing after it is consumed. */
	Head readHead() {
		ByteArrayOutputStream head = new ByteArrayOutputStream();
		try {
			int matched = 0;
			byte[] end = { '\r', '\n', '\r', '\n' };
			while (matched < 4) {
				int b = in.read();
				if (b < 0) {
					throw new AssertionError("connection closed inside the response head: "
							+ head.toString(StandardCharsets.ISO_8859_1));
				}
				head.write(b);
				matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
			}
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
		Map<String, String> headers = new LinkedHashMap<>();
		for (int i = 1; i < lines.length; i++) {
			int colon = lines[i].indexOf(':');
			if (colon > 0) {
				headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
			}
		}
		String[] status = lines[0].split(" ", 3);
		return new Head(lines[0], Integer.parseInt(status[1]), headers);
	}

	/** Reads exactly {@code length} bytes (a Content-Length body). */
	String readBody(int length) {
		try {
			return new String(in.readNBytes(length), StandardCharsets.UTF_8);
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	/** Reads until the peer closes (or the read timeout passes), as ISO-8859-1 text. */
	String readToEnd() {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		byte[] buffer = new byte[8192];
		try {
			int n;
			while ((n = in.read(buffer)) >= 0) {
				out.write(buffer, 0, n);
			}
		}
		catch (SocketTimeoutException e) {
			throw new AssertionError("stream did not end within the read timeout; got: "
					+ out.toString(StandardCharsets.ISO_8859_1), e);
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		return out.toString(StandardCharsets.ISO_8859_1);
	}

	@Override
	public void close() {
		try {
			connection.close();
		}
		catch (IOException e) {
			// closing anyway
		}
	}

}
