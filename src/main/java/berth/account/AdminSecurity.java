package berth.account;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.web.server.SecurityWebFiltersOrder;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.authentication.AuthenticationWebFilter;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatchers;
import reactor.core.publisher.Mono;

import berth.PlatformProperties;
import berth.web.ProblemWriter;

/**
 * The admin API ({@code /api/**}) accepts exactly one credential: {@code Authorization: Bearer
 * $BERTH_ADMIN_TOKEN}, compared in constant time. A tenant key is never an admin credential. With no
 * token configured the admin API refuses everyone. Docker API paths are outside this chain.
 */
@Configuration(proxyBeanMethods = false)
class AdminSecurity {

	static final String ADMIN = "ROLE_ADMIN";

	@Bean
	SecurityWebFilterChain adminApi(ServerHttpSecurity http, PlatformProperties platform, ProblemWriter problems) {
		AuthenticationWebFilter bearer = new AuthenticationWebFilter(adminTokenManager(platform.adminToken()));
		bearer.setServerAuthenticationConverter(exchange -> Mono
			.justOrEmpty(exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION))
			.filter(value -> value.regionMatches(true, 0, "Bearer ", 0, 7))
			.map(value -> new UsernamePasswordAuthenticationToken("admin", value.substring(7).trim())));
		bearer.setSecurityContextRepository(NoOpServerSecurityContextRepository.getInstance());
		bearer.setAuthenticationFailureHandler((webFilterExchange, e) -> problems.write(webFilterExchange.getExchange(),
				HttpStatus.UNAUTHORIZED, "the admin token is missing or wrong"));
		return http.securityMatcher(ServerWebExchangeMatchers.pathMatchers("/api/**"))
			.csrf(ServerHttpSecurity.CsrfSpec::disable)
			.httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
			.formLogin(ServerHttpSecurity.FormLoginSpec::disable)
			.logout(ServerHttpSecurity.LogoutSpec::disable)
			.requestCache(ServerHttpSecurity.RequestCacheSpec::disable)
			.securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
			.addFilterAt(bearer, SecurityWebFiltersOrder.AUTHENTICATION)
			.authorizeExchange(exchanges -> exchanges.anyExchange().hasAuthority(ADMIN))
			.exceptionHandling(handling -> handling
				.authenticationEntryPoint((exchange, e) -> problems.write(exchange, HttpStatus.UNAUTHORIZED,
						"the admin API needs 'Authorization: Bearer <admin token>'"))
				.accessDeniedHandler((exchange, e) -> problems.write(exchange, HttpStatus.FORBIDDEN,
						"this credential may not use the admin API")))
			.build();
	}

	static ReactiveAuthenticationManager adminTokenManager(String adminToken) {
		byte[] expected = adminToken.getBytes(StandardCharsets.UTF_8);
		return authentication -> {
			byte[] presented = String.valueOf(authentication.getCredentials()).getBytes(StandardCharsets.UTF_8);
			if (expected.length == 0 || !MessageDigest.isEqual(expected, presented)) {
				return Mono.error(new BadCredentialsException("bad admin token"));
			}
			return Mono.just(new UsernamePasswordAuthenticationToken("admin", null,
					List.of(new SimpleGrantedAuthority(ADMIN))));
		};
	}

}
