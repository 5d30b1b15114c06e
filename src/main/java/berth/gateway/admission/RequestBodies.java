package berth.gateway.admission;

import java.util.function.Function;

import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Reading and draining request bodies, the same way for every carrier. A refused request whose body
 * was not read yet (docker cp into someone else's container) has its body read to its end and
 * dropped, so the client, still sending, reads the refusal; closing with unread bytes would reset the
 * connection under it (a "broken pipe" instead of "No such container"). Past {@link #DRAIN_LIMIT} the
 * body is not read any more and the connection is ended instead.
 */
public final class RequestBodies {

	/** Past this, the body of a refused request is not read any more: the connection is ended. */
	public static final long DRAIN_LIMIT = 64L * 1024 * 1024;

	/** A body over the most the policy reads. */
	public static final class TooLarge extends RuntimeException {

		public TooLarge() {
			super(null, null, false, false);
		}

	}

	/** A body over {@link #DRAIN_LIMIT}: the carrier ends the connection rather than read on. */
	public static final class Endless extends RuntimeException {

		public Endless() {
			super("a refused request's body is larger than " + DRAIN_LIMIT + " bytes", null, false, false);
		}

	}

	private RequestBodies() {
	}

	/**
	 * Whether a request's head announces a body, whatever carries it: a positive
	 * {@code Content-Length} (negative when there is none), or any {@code Transfer-Encoding}.
	 */
	public static boolean announced(long contentLength, boolean transferEncoding) {
		return transferEncoding || contentLength > 0;
	}

	/**
	 * Reads a body of pieces whose sizes {@code size} tells and which {@code release} frees, up to
	 * {@code max} bytes kept: {@link TooLarge} once a larger one has been read to its end, or at
	 * once past the drain limit.
	 */
	public static <T> Mono<byte[]> read(Publisher<T> pieces, int max, Function<T, byte[]> bytes,
			java.util.function.Consumer<T> release) {
		return Mono.defer(() -> {
			java.io.ByteArrayOutputStream kept = new java.io.ByteArrayOutputStream();
			long[] seen = { 0 };
			return Flux.from(pieces).doOnNext(piece -> {
				try {
					byte[] content = bytes.apply(piece);
					seen[0] += content.length;
					if (seen[0] > DRAIN_LIMIT) {
						throw new TooLarge();
					}
					if (seen[0] <= max) {
						kept.writeBytes(content);
					}
				}
				finally {
					release.accept(piece);
				}
			}).then(Mono.fromCallable(() -> {
				if (seen[0] > max) {
					throw new TooLarge();
				}
				return kept.toByteArray();
			}));
		});
	}

	/** Reads a body to its end and drops it; completes empty, or signals {@link Endless}. */
	public static <T> Mono<Void> drain(Publisher<T> pieces, java.util.function.ToIntFunction<T> size,
			java.util.function.Consumer<T> release) {
		return Mono.defer(() -> {
			long[] seen = { 0 };
			return Flux.from(pieces).doOnNext(piece -> {
				try {
					seen[0] += size.applyAsInt(piece);
					if (seen[0] > DRAIN_LIMIT) {
						throw new Endless();
					}
				}
				finally {
					release.accept(piece);
				}
			}).then();
		});
	}

}
