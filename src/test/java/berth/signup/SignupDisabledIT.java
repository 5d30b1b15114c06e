package berth.signup;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

import berth.testing.BerthTest;

/** Signup is off unless the operator opens it: every page is 404, and nothing reaches the engine. */
@BerthTest
class SignupDisabledIT {

	@LocalServerPort
	int port;

	@Test
	void everySignupPathIs404WhenSignupIsOff() throws Exception {
		HttpClient http = HttpClient.newHttpClient();
		for (String path : new String[] { "/signup", "/signup/name?value=acme", "/signup/confirm?token=x",
				"/signup/download/x" }) {
			HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(answer.statusCode()).as(path).isEqualTo(404);
			assertThat(answer.body()).as(path).contains("signup is not open on this installation").doesNotContain("Exception");
		}
	}

}
