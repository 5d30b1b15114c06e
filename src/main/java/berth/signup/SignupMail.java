package berth.signup;

import java.time.Duration;

import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSender;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * Sends the signup link through Spring Boot's mail support. SMTP blocks, so sending runs on the
 * bounded elastic scheduler, never on an event loop, and the form's answer does not wait for it
 * (its timing would otherwise tell a known address from an unknown one). A failed send is retried
 * with backoff; the last failure is counted and logged, without the address.
 */
final class SignupMail {

	private static final Logger log = LoggerFactory.getLogger(SignupMail.class);

	private final @Nullable JavaMailSender sender;

	private final String from;

	private final MeterRegistry meters;

	private final Retry retry;

	SignupMail(@Nullable JavaMailSender sender, String from, MeterRegistry meters, Retry retry) {
		this.sender = sender;
		this.from = from;
		this.meters = meters;
		this.retry = retry;
	}

	static Retry defaultRetry() {
		return Retry.backoff(4, Duration.ofSeconds(2)).maxBackoff(Duration.ofSeconds(30));
	}

	/** Sends in the background; {@code who} names the recipient in logs (a hash, never the address). */
	void sendLink(String to, String tenantName, String link, Duration validity, String who) {
		SimpleMailMessage message = new SimpleMailMessage();
		message.setFrom(from);
		message.setTo(to);
		message.setSubject("Your Berth signup link");
		message.setText("""
				Hello,

				someone (we hope you) asked for a Berth tenant named "%s" with this address.
				Follow this link within %d minutes to create it. It works once:

				%s

				If you did not ask for it, ignore this email: nothing is created without the link.
				""".formatted(tenantName, validity.toMinutes(), link));
		JavaMailSender smtp = sender;
		if (smtp == null) {
			throw new IllegalStateException("no mail server is configured (spring.mail.host)");
		}
		Mono.fromRunnable(() -> smtp.send(message))
			.subscribeOn(Schedulers.boundedElastic())
			.retryWhen(retry)
			.subscribe(done -> {
			}, error -> {
				meters.counter("berth_signup_emails_total", "outcome", "failed").increment();
				log.warn("signup email to {} could not be sent: {}", who, rootMessage(error));
			}, () -> meters.counter("berth_signup_emails_total", "outcome", "sent").increment());
	}

	private static String rootMessage(Throwable error) {
		// class names only: SMTP servers put the recipient into their error texts
		Throwable cause = error;
		while (cause.getCause() != null) {
			cause = cause.getCause();
		}
		return error.getClass().getSimpleName() + " (" + cause.getClass().getName() + ")";
	}

}
