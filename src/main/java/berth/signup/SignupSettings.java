package berth.signup;

import java.time.Clock;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.security.web.server.csrf.CookieServerCsrfTokenRepository;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatchers;
import reactor.core.publisher.Mono;

import berth.PlatformProperties;

/**
 * The signup feature's parts, and its own security chain: CSRF protection with a cookie (the
 * double-submit pattern, so that any replica can check a token another rendered), no login, and
 * none of the admin API's credentials.
 */
@Configuration(proxyBeanMethods = false)
class SignupSettings {

	private final String publicUrl;

	/**
	 * @param publicUrl where people reach Berth's pages ({@code berth.public-url}); empty: the domain
	 * and public port. Never the request's Host, which a stranger could set to put a link of theirs
	 * into Berth's emails.
	 */
	SignupSettings(@Value("${berth.public-url:}") String publicUrl, PlatformProperties platform) {
		String url = publicUrl.isBlank() ? "http://" + platform.domain() + ":" + platform.publicPort() : publicUrl;
		this.publicUrl = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
	}

	String publicUrl() {
		return publicUrl;
	}

	@Bean
	SubmissionLimits signupLimits(SignupProperties properties) {
		return new SubmissionLimits(properties.rateLimit(), properties.rateWindow(), Clock.systemUTC());
	}

	@Bean
	Downloads signupDownloads(SignupProperties properties) {
		return new Downloads(properties.downloadValidity());
	}

	@Bean
	SignupMail signupMail(SignupProperties properties, ObjectProvider<JavaMailSender> sender, MeterRegistry meters,
			PlatformProperties platform) {
		JavaMailSender smtp = sender.getIfAvailable();
		if (properties.enabled() && smtp == null) {
			throw new IllegalStateException(
					"berth.signup.enabled=true needs a mail server to send signup links: set spring.mail.host (SPRING_MAIL_HOST)");
		}
		String from = properties.mailFrom().isBlank() ? "berth@" + platform.domain() : properties.mailFrom();
		return new SignupMail(smtp, from, meters, SignupMail.defaultRetry());
	}

	@Bean
	@Order(Ordered.HIGHEST_PRECEDENCE)
	SecurityWebFilterChain signupPages(ServerHttpSecurity http) {
		CookieServerCsrfTokenRepository tokens = new CookieServerCsrfTokenRepository();
		tokens.setCookiePath(SignupController.PATH);
		return http.securityMatcher(ServerWebExchangeMatchers.pathMatchers(SignupController.PATH, SignupController.PATH + "/**"))
			.csrf(csrf -> csrf.csrfTokenRepository(tokens).accessDeniedHandler((exchange, denied) -> {
				var response = exchange.getResponse();
				response.setStatusCode(HttpStatus.FORBIDDEN);
				response.getHeaders().setContentType(MediaType.TEXT_PLAIN);
				byte[] body = "This form has expired (its security token is missing or wrong). Go back, reload the page and send it again.\n"
					.getBytes(java.nio.charset.StandardCharsets.UTF_8);
				return response.writeWith(Mono.just(response.bufferFactory().wrap(body)));
			}))
			.httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
			.formLogin(ServerHttpSecurity.FormLoginSpec::disable)
			.logout(ServerHttpSecurity.LogoutSpec::disable)
			.requestCache(ServerHttpSecurity.RequestCacheSpec::disable)
			.securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
			.headers(headers -> headers.contentSecurityPolicy(csp -> csp.policyDirectives(
					"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'")))
			.authorizeExchange(exchanges -> exchanges.anyExchange().permitAll())
			.build();
	}

}
