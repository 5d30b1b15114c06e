package berth.gateway;

import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import io.netty.handler.codec.http.HttpHeaders;

/**
 * Which headers travel between a docker client and the engine, for both forwarding paths: the
 * connection-scoped ones stay on their hop, and the tenant's credential never reaches the engine.
 */
final class ForwardedHeaders {

	/** Not forwarded to the engine (any letter case). */
	static final Set<String> REQUEST_DROPPED = caseInsensitive("authorization", "host", "connection", "keep-alive",
			"proxy-authorization", "proxy-authenticate", "proxy-connection", "te", "trailer", "transfer-encoding",
			"upgrade");

	/** Not relayed to the client: the engine connection's own framing and keep-alive. */
	static final Set<String> RESPONSE_DROPPED = caseInsensitive("connection", "keep-alive", "transfer-encoding",
			"proxy-connection", "trailer", "upgrade");

	private ForwardedHeaders() {
	}

	/** Removes the request headers that are not forwarded; framing is the caller's to set again. */
	static void dropFromRequest(HttpHeaders headers) {
		for (String name : REQUEST_DROPPED) {
			headers.remove(name);
		}
	}

	/** Removes the response headers that are not relayed; framing is the caller's to set again. */
	static void dropFromResponse(HttpHeaders headers) {
		for (String name : RESPONSE_DROPPED) {
			headers.remove(name);
		}
	}

	private static Set<String> caseInsensitive(String... names) {
		Set<String> set = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
		set.addAll(List.of(names));
		return Collections.unmodifiableSet(set);
	}

}
