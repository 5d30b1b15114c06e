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

	/** Sends a request with a body, framed by Content-Length or (chunked) as one chunk. */
	public static Answer send(int port, String method, String target, byte[] body, boolean chunked,
			String... headerLines) {
		try (Socket socket = new Socket("127.0.0.1", port)) {
			socket.setSoTimeout(20_000);
			StringBuilder request = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
			boolean hostGiven = false;
			for (String header : headerLines) {
				hostGiven |= header.regionMatches(true, 0, "Host:", 0, 5);
				request.append(header).append("\r\n");
			}
			if (!hostGiven) {
				request.append("Host: 127.0.0.1\r\n");
			}
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

}
