package berth.signup;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import com.icegreen.greenmail.util.GreenMailUtil;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.mail.javamail.JavaMailSenderImpl;
import reactor.util.retry.Retry;

import berth.testing.Forwarder;

/**
 * Sending signup links through a real SMTP server (GreenMail) behind a forwarder the test cuts: the
 * caller never waits for SMTP, a server that comes back gets the mail through the retries, and one
 * that never does is counted as a failure.
 */
class SignupMailIT {

	final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	@Test
	void aServerDownAtFirstGetsTheLinkOnARetryAndTheCallerDoesNotWait() throws Exception {
		try (Forwarder smtp = Forwarder.toLocalPort(SignupSupport.SMTP.getSmtp().getPort())) {
			SignupMail mail = new SignupMail(sender(smtp.port()), "berth@berth.test", meters,
					Retry.fixedDelay(10, Duration.ofMillis(300)));
			String to = "retry-" + System.nanoTime() + "@people.test";
			mail.sendLink(to, "acme", "http://berth.test/signup/confirm?token=abc", Duration.ofMinutes(30), "email#test");
			// back before anything could be sent: the server only comes up below
			assertThat(meters.find("berth_signup_emails_total").counters()).isEmpty();
			Thread.sleep(1000);
			assertThat(SignupSupport.mailTo(to)).as("nothing while the server is away").isEmpty();
			smtp.start();
			Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> !SignupSupport.mailTo(to).isEmpty());
			assertThat(GreenMailUtil.getBody(SignupSupport.mailTo(to).get(0)))
				.contains("http://berth.test/signup/confirm?token=abc");
			Awaitility.await().atMost(Duration.ofSeconds(5))
				.until(() -> meters.counter("berth_signup_emails_total", "outcome", "sent").count() == 1);
		}
	}

	@Test
	void aServerThatNeverComesBackIsCountedAsAFailure() {
		try (Forwarder smtp = Forwarder.toLocalPort(SignupSupport.SMTP.getSmtp().getPort())) {
			SignupMail mail = new SignupMail(sender(smtp.port()), "berth@berth.test", meters,
					Retry.fixedDelay(2, Duration.ofMillis(100)));
			mail.sendLink("never@people.test", "acme", "http://berth.test/x", Duration.ofMinutes(30), "email#test");
			Awaitility.await().atMost(Duration.ofSeconds(20))
				.until(() -> meters.counter("berth_signup_emails_total", "outcome", "failed").count() == 1);
			assertThat(meters.counter("berth_signup_emails_total", "outcome", "sent").count()).isZero();
		}
	}

	private static JavaMailSenderImpl sender(int port) {
		JavaMailSenderImpl sender = new JavaMailSenderImpl();
		sender.setHost("127.0.0.1");
		sender.setPort(port);
		sender.getJavaMailProperties().put("mail.smtp.connectiontimeout", "2000");
		sender.getJavaMailProperties().put("mail.smtp.timeout", "2000");
		return sender;
	}

}
