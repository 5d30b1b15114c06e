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
			request.append("Connection: close\r\nContent-Length: 0\r\n\r\n");
			OutputStream out = socket.getOutputStream();
			out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
			out.flush();
			InputStream in = socket.getInputStream();
			String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
			int split = all.indexOf("\r\n\r\n");
			String head = split < 0 ? all : all.substring(0, split);
			String body = split < 0 ? "" : all.substring(split + 4);
			int status = Integer.parseInt(head.substring(9, 12));
			return new Answer(status, head, body);
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

}
