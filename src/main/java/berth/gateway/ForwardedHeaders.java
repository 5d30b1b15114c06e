package berth.gateway;

import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

import berth.backend.Engine;

/**
 * Which headers travel between a docker client and the engine, for every carrier: the
 * connection-scoped ones stay on their hop, and the tenant's credential never reaches the engine,
 * neither in {@code Authorization} nor in a {@code Host} that names its key.
 */
public final class ForwardedHeaders {

	/** Not forwarded to the engine (any letter case). */
	public static final Set<String> REQUEST_DROPPED = caseInsensitive("authorization", "host", "connection", "keep-alive",
			"proxy-authorization", "proxy-authenticate", "proxy-connection", "te", "trailer", "transfer-encoding",
			"upgrade");

	/** Not relayed to the client: the engine connection's own framing and keep-alive. */
	public static final Set<String> RESPONSE_DROPPED = caseInsensitive("connection", "keep-alive", "transfer-encoding",
			"proxy-connection", "trailer", "upgrade");

	/** The same names as Netty's header keys, whose hash codes are computed once. */
	private static final AsciiString[] REQUEST_DROPPED_KEYS = keys(REQUEST_DROPPED);

	private static final AsciiString[] RESPONSE_DROPPED_KEYS = keys(RESPONSE_DROPPED);

	private ForwardedHeaders() {
	}

	/**
	 * The request headers as an engine gets them, for the carriers that write requests themselves (the
	 * fast path and the hijack handler): hop-by-hop headers and credentials dropped, {@code Host} the
	 * engine's own (a client's may carry its key: {@code <key>.<domain>}). An upgrade keeps its
	 * {@code Connection} and {@code Upgrade}; framing is the caller's to set.
	 */
	public static void toEngine(HttpHeaders headers, Engine engine, boolean upgrade) {
		String connection = upgrade ? headers.get(HttpHeaderNames.CONNECTION) : null;
		String protocol = upgrade ? headers.get(HttpHeaderNames.UPGRADE) : null;
		dropFromRequest(headers);
		headers.set(HttpHeaderNames.HOST, engine.hostHeader());
		if (connection != null && protocol != null) {
			headers.set(HttpHeaderNames.CONNECTION, connection);
			headers.set(HttpHeaderNames.UPGRADE, protocol);
		}
	}

	/** Removes the request headers that are not forwarded; framing is the caller's to set again. */
	public static void dropFromRequest(HttpHeaders headers) {
		for (AsciiString name : REQUEST_DROPPED_KEYS) {
			headers.remove(name);
		}
	}

	/** Removes the response headers that are not relayed; framing is the caller's to set again. */
	public static void dropFromResponse(HttpHeaders headers) {
		for (AsciiString name : RESPONSE_DROPPED_KEYS) {
			headers.remove(name);
		}
	}

	private static AsciiString[] keys(Set<String> names) {
		return names.stream().map(AsciiString::cached).toArray(AsciiString[]::new);
	}

	private static Set<String> caseInsensitive(String... names) {
		Set<String> set = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
		set.addAll(List.of(names));
		return Collections.unmodifiableSet(set);
	}

}
