package berth.signup;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The signup form.
 *
 * @param enabled whether strangers may sign up at all; off, the pages answer 404
 * @param rateLimit submissions allowed per client address and per email within {@link #rateWindow}
 * @param rateWindow the window of {@link #rateLimit}
 * @param linkValidity how long the emailed link works (once)
 * @param downloadValidity how long the download links of the page work (once each)
 * @param mailFrom the sender of signup emails; empty: {@code berth@<domain>}
 */
@ConfigurationProperties("berth.signup")
record SignupProperties(@DefaultValue("false") boolean enabled, @DefaultValue("5") int rateLimit,
		@DefaultValue("1h") Duration rateWindow, @DefaultValue("30m") Duration linkValidity,
		@DefaultValue("10m") Duration downloadValidity, @DefaultValue("") String mailFrom) {
}
