package berth.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.pem.PemSslStoreBundle;
import org.springframework.boot.ssl.pem.PemSslStoreDetails;

/**
 * One raw HTTP/1.1 request over TLS to Berth's TLS port, with the Host and headers the test chooses
 * (the JDK's HttpClient will not send a Host of the caller's), and a client certificate if given.
 */
public final class TlsClient {

	/** A status line and the body after the head. */
	public record Answer(int status, String body) {
	}

	private final SSLContext context;

	private final int port;

	/** @param certificatePem the client certificate, or null to present none */
	public TlsClient(int port, String caPem, String certificatePem, String keyPem) {
		this.port = port;
		PemSslStoreDetails keyStore = certificatePem == null ? null
				: new PemSslStoreDetails(null, certificatePem, keyPem);
		this.context = SslBundle.of(new PemSslStoreBundle(keyStore, PemSslStoreDetails.forCertificate(caPem)))
			.createSslContext();
	}

	/** Sends {@code GET target} with the given Host and extra header lines, reads the answer to the end. */
	public Answer get(String target, String host, String... headerLines) {
		try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
			socket.setSoTimeout(20_000);
			StringBuilder request = new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n");
			for (String line : headerLines) {
				request.append(line).append("\r\n");
			}
			request.append("Connection: close\r\n\r\n");
			OutputStream out = socket.getOutputStream();
			out.write(request.toString().getBytes(StandardCharsets.US_ASCII));
			out.flush();
			String answer = readAll(socket.getInputStream());
			int space = answer.indexOf(' ');
			int status = Integer.parseInt(answer.substring(space + 1, space + 4));
			int bodyStart = answer.indexOf("\r\n\r\n");
			return new Answer(status, bodyStart < 0 ? "" : answer.substring(bodyStart + 4));
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	private static String readAll(InputStream in) throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		in.transferTo(bytes);
		return bytes.toString(StandardCharsets.UTF_8);
	}

}
