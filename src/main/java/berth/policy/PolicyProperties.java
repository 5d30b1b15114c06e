package berth.policy;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The security policy's settings.
 *
 * @param mode {@code enforce} refuses; {@code audit} only logs and counts what it would refuse
 * @param maxBody largest JSON body the policy reads (bigger: 413)
 * @param allowRoot whether containers and execs may run as root (uid 0 in any spelling)
 * @param buildkit whether BuildKit's /session and /grpc are allowed (only for engines configured
 *     without insecure entitlements; never for the shared engine)
 */
@ConfigurationProperties("berth.policy")
public record PolicyProperties(@DefaultValue("enforce") Mode mode, @DefaultValue("1MB") DataSize maxBody,
		@DefaultValue("true") boolean allowRoot, @DefaultValue("false") boolean buildkit) {

	public enum Mode {

		ENFORCE, AUDIT

	}

}
