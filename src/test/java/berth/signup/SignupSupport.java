package berth.signup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import org.awaitility.Awaitility;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * What the signup tests share: a real SMTP server (GreenMail) on a free port, Berth on a port chosen
 * beforehand so that {@code berth.public-url} can name it, and a small browser-like HTTP client
 * (cookies, CSRF field) that can send from any loopback address, so that tests do not share a rate
 * limit they did not mean to share.
 */
final class SignupSupport {

	static final GreenMail SMTP = new GreenMail(ServerSetupTest.SMTP.dynamicPort());

	static final int PORT = freePort();

	/** Berth's TLS port for these tests (0 would turn it off). */
	static final int TLS_PORT = freePort();

	static {
		SMTP.start();
	}

	private SignupSupport() {
	}

	static void properties(DynamicPropertyRegistry registry) {
		registry.add("server.port", () -> PORT);
		registry.add("berth.public-url", () -> "http://127.0.0.1:" + PORT + "/");
		registry.add("berth.signup.enabled", () -> true);
		registry.add("spring.mail.host", () -> "127.0.0.1");
		registry.add("spring.mail.port", () -> SMTP.getSmtp().getPort());
		registry.add("berth.tls.port", () -> TLS_PORT);
		registry.add("berth.tls.server-names", () -> "localhost,127.0.0.1");
		registry.add("berth.tls.public-host", () -> "localhost");
	}

	static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	/** The messages GreenMail received for one address. */
	static List<MimeMessage> mailTo(String address) {
		return Arrays.stream(SMTP.getReceivedMessages()).filter(message -> {
			try {
				return Arrays.stream(message.getRecipients(Message.RecipientType.TO))
					.anyMatch(to -> to.toString().equalsIgnoreCase(address));
			}
			catch (jakarta.mail.MessagingException e) {
				throw new IllegalStateException(e);
			}
		}).toList();
	}

	/** Waits for the one email to this address and answers the link in it. */
	static String linkMailedTo(String address) {
		Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> !mailTo(address).isEmpty());
		List<MimeMessage> mails = mailTo(address);
		assertThat(mails).hasSize(1);
		String body = GreenMailUtil.getBody(mails.get(0));
		Matcher link = Pattern.compile("http://127\\.0\\.0\\.1:" + PORT + "/signup/confirm\\?token=[A-Za-z0-9_-]{43}")
			.matcher(body);
		assertThat(link.find()).as("a link in: %s", body).isTrue();
		return link.group();
	}

	/** An HTTP client that keeps cookies, like a browser, sending from {@code source}. */
	static final class Browser {

		final HttpClient http;

		Browser(String source) {
			try {
				http = HttpClient.newBuilder()
					.version(HttpClient.Version.HTTP_1_1)
					.cookieHandler(new CookieManager())
					.localAddress(InetAddress.getByName(source))
					.connectTimeout(Duration.ofSeconds(5))
					.build();
			}
			catch (IOException e) {
				throw new UncheckedIOException(e);
			}
		}

		HttpResponse<String> get(String pathOrUrl) {
			return send(HttpRequest.newBuilder(uri(pathOrUrl)).GET().build());
		}

		HttpResponse<byte[]> getBytes(String path) {
			try {
				return http.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
			}
			catch (IOException e) {
				throw new UncheckedIOException(e);
			}
			catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(e);
			}
		}

		/** Posts a form as a browser does, with the CSRF field of {@code page} unless told otherwise. */
		HttpResponse<String> post(String path, String page, Map<String, String> fields, boolean withCsrf) {
			Map<String, String> all = new LinkedHashMap<>(fields);
			if (withCsrf) {
				all.put("_csrf", csrfOf(page));
			}
			String body = all.entrySet()
				.stream()
				.map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
						+ URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
				.collect(Collectors.joining("&"));
			return send(HttpRequest.newBuilder(uri(path))
				.header("Content-Type", "application/x-www-form-urlencoded")
				.POST(HttpRequest.BodyPublishers.ofString(body))
				.build());
		}

		/** Opens the form and sends it. */
		HttpResponse<String> signUp(String email, String name, Map<String, String> extra) {
			HttpResponse<String> form = get("/signup");
			assertThat(form.statusCode()).isEqualTo(200);
			Map<String, String> fields = new LinkedHashMap<>(Map.of("email", email, "name", name, "terms", "yes", "website", ""));
			fields.putAll(extra);
			return post("/signup", form.body(), fields, true);
		}

		static String csrfOf(String page) {
			Matcher field = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(page);
			assertThat(field.find()).as("a CSRF field in: %s", page).isTrue();
			return field.group(1);
		}

		private HttpResponse<String> send(HttpRequest request) {
			try {
				return http.send(request, HttpResponse.BodyHandlers.ofString());
			}
			catch (IOException e) {
				throw new UncheckedIOException(e);
			}
			catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(e);
			}
		}

		private static URI uri(String pathOrUrl) {
			return URI.create(pathOrUrl.startsWith("http") ? pathOrUrl : "http://127.0.0.1:" + PORT + pathOrUrl);
		}

	}

}
