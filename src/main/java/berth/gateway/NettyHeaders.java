package berth.gateway;

import java.util.List;

import io.netty.handler.codec.http.HttpHeaders;
import org.jspecify.annotations.Nullable;

import berth.gateway.admission.Admission;

/** A Netty request's headers as the admission reads them. */
public record NettyHeaders(HttpHeaders headers) implements Admission.Headers {

	public static NettyHeaders of(HttpHeaders headers) {
		return new NettyHeaders(headers);
	}

	@Override
	public @Nullable String first(String name) {
		return headers.get(name);
	}

	@Override
	public List<String> all(String name) {
		return headers.getAll(name);
	}

}
