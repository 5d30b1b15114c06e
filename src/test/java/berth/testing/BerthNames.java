package berth.testing;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Resolves the names under Berth's test domain ({@code <key>.berth.localhost}, a tenant's key-in-Host
 * address) to loopback in the test JVM, where Berth listens; every other name goes to the JDK's own
 * resolver. Neither Java nor glibc maps {@code *.localhost} to 127.0.0.1, and tests change no system
 * file: this provider is the test JVM's own, found through {@code ServiceLoader}.
 */
public final class BerthNames extends InetAddressResolverProvider {

	static final String DOMAIN = ".berth.localhost";

	@Override
	public InetAddressResolver get(Configuration configuration) {
		InetAddressResolver builtin = configuration.builtinResolver();
		return new InetAddressResolver() {
			@Override
			public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
				if (host.toLowerCase(Locale.ROOT).endsWith(DOMAIN)) {
					return Stream.of(InetAddress.getByAddress(host, new byte[] { 127, 0, 0, 1 }));
				}
				return builtin.lookupByName(host, policy);
			}

			@Override
			public String lookupByAddress(byte[] address) throws UnknownHostException {
				return builtin.lookupByAddress(address);
			}
		};
	}

	@Override
	public String name() {
		return "berth-test-names";
	}

}
