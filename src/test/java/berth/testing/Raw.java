package berth.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Hand-written HTTP/1.1 requests, for headers java.net.http will not send (Host) and for hijacks. */
public final class Raw {

	public record Answer(int status, String head, String body) {
	}

	private Raw() {
	}

	/** Sends one request with {@code Connection: close} and reads the whole answer. */
	public static Answer request(int port, String method, String target, String... headerLines) {
		return send(port, method, target, new byte[0], false, headerLines);
	}

	/**
	 * Sends one bodyless request and reads only the answer's head, then hangs up: for upgrades, whose
	 * connection stays open as long as the container's stream.
	 */
	public static Answer head(int port, String method, String target, String... headerLines) {
		try (Socket socket = new Socket("127.0.0.1", port)) {
			socket.setSoTimeout(20_000);
			StringBuilder request = requestLines(method, target, headerLines);
			request.append("Content-Length: 0\r\n\r\n");
			socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
			InputStream in = socket.getInputStream();
			StringBuilder head = new StringBuilder();
			while (head.indexOf("\r\n\r\n") < 0) {
				int next = in.read();
				if (next < 0) {
					break;
				}
				head.append((char) next);
			}
			String text = head.toString().strip();
			return new Answer(Integer.parseInt(text.substring(9, 12)), text, "");
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	/** The request line and the given headers, with a Host of 127.0.0.1 unless one is given. */
	private static StringBuilder requestLines(String method, String target, String... headerLines) {
		StringBuilder request = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
		boolean hostGiven = false;
		for (String header : headerLines) {
			hostGiven |= header.regionMatches(true, 0, "Host:", 0, 5);
			request.append(header).append("\r\n");
		}
		if (!hostGiven) {
			request.append("Host: 127.0.0.1\r\n");
		}
		return request;
	}

	/** Sends a request with a body, framed by Content-Length or (chunked) as one chunk. */
	public static Answer send(int port, String method, String target, byte[] body, boolean chunked,
			String... headerLines) {
		try (Socket socket = new Socket("127.0.0.1", port)) {
			socket.setSoTimeout(20_000);
			StringBuilder request = requestLines(method, target, headerLines);
			request.append("Connection: close\r\n");
			request.append(chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + body.length + "\r\n");
			request.append("\r\n");
			OutputStream out = socket.getOutputStream();
			out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
			if (chunked) {
				if (body.length > 0) {
					out.write((Integer.toHexString(body.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
					out.write(body);
					out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
				}
				out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
			}
			else {
				try {
					out.write(body);
				}
				catch (IOException earlyAnswer) {
					// the server may answer (413) and close before reading a large body
				}
			}
			out.flush();
			InputStream in = socket.getInputStream();
			String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
			int split = all.indexOf("\r\n\r\n");
			String head = split < 0 ? all : all.substring(0, split);
			String answerBody = split < 0 ? "" : all.substring(split + 4);
			int status = Integer.parseInt(head.substring(9, 12));
			return new Answer(status, head, answerBody);
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	/**
	 * One keep-alive connection: requests are written as given (several at once to pipeline them) and
	 * answers read one at a time, framed by Content-Length or chunked encoding.
	 */
	public static final class Connection implements AutoCloseable {

		private final Socket socket;

		private final InputStream in;

		private final OutputStream out;

		public Connection(int port) {
			try {
				socket = new Socket("127.0.0.1", port);
				socket.setSoTimeout(20_000);
				in = new java.io.BufferedInputStream(socket.getInputStream());
				out = socket.getOutputStream();
			}
			catch (IOException e) {
				throw new UncheckedIOException(e);
			}
		}

		/** A request head and body; header lines without CRLF, Host added. */
		public static String request(String method, String target, String... headerLines) {
			StringBuilder request = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
			request.append("Host: 127.0.0.1\r\n");
			for (String header : headerLines) {
				request.append(header).append("\r\n");
			}
			return request.append("\r\n").toString();
		}

		public Connection write(String... requests) {
			try {
				for (String request : requests) {
					out.write(request.getBytes(StandardCharsets.ISO_8859_1));
				}
				out.flush();
			}
			catch (IOException e) {
				throw new UncheckedIOException(e);
			}
			return this;
		}

		/** Reads one answer; {@code head} says it answers a HEAD request (no body whatever the headers say). */
		public Answer read(boolean head) {
			try {
				Answer answer = readHead();
				long length = -1;
				boolean chunked = false;
				for (String line : answer.head().split("\r\n")) {
					String lower = line.toLowerCase(java.util.Locale.ROOT);
					if (lower.startsWith("content-length:")) {
						length = Long.parseLong(lower.substring(15).trim());
					}
					chunked |= lower.startsWith("transfer-encoding:") && lower.contains("chunked");
				}
				java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
				if (!head && answer.status() != 204 && answer.status() != 304) {
					if (chunked) {
						int size;
						while ((size = Integer.parseInt(line().split(";")[0].trim(), 16)) > 0) {
							body.write(in.readNBytes(size));
							line();
						}
						while (!line().isEmpty()) {
							// trailers
						}
					}
					else if (length >= 0) {
						body.write(in.readNBytes((int) length));
					}
					else {
						body.write(in.readAllBytes());
					}
				}
				return new Answer(answer.status(), answer.head(), body.toString(StandardCharsets.UTF_8));
			}
			catch (IOException e) {
				throw new UncheckedIOException(e);
			}
		}

		/** Reads the head of an answer, and nothing after it (for streams). */
		public Answer readHead() {
			try {
				String statusLine = line();
				StringBuilder all = new StringBuilder(statusLine);
				String line;
				while (!(line = line()).isEmpty()) {
					all.append("\r\n").append(line);
				}
				return new Answer(Integer.parseInt(statusLine.substring(9, 12)), all.toString(), "");
			}
			catch (IOException e) {
				throw new UncheckedIOException(e);
			}
		}

		/** Whether the server closed the connection (reads end of stream within the timeout). */
		public boolean closedByServer() {
			try {
				return in.read() < 0;
			}
			catch (java.net.SocketTimeoutException stillOpen) {
				// nothing came and nothing ended within the read timeout: the server kept the connection
				return false;
			}
			catch (IOException reset) {
				return true;
			}
		}

		private String line() throws IOException {
			StringBuilder line = new StringBuilder();
			int b;
			while ((b = in.read()) >= 0 && b != '\n') {
				if (b != '\r') {
					line.append((char) b);
				}
			}
			if (b < 0 && line.isEmpty()) {
				throw new java.io.EOFException("connection closed");
			}
			return line.toString();
		}

		@Override
		public void close() {
			try {
				socket.close();
			}
			catch (IOException e) {
				// closing anyway
			}
		}

	}

}
