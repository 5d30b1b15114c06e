package berth.gateway.route;

import java.io.ByteArrayOutputStream;
import java.util.function.UnaryOperator;

import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import berth.isolation.TenantView;
import berth.web.DockerApiException;

/**
 * The engine's answer as the tenant sees it ({@link TenantView}): small JSON answers (lists, inspects,
 * errors) are read whole, rewritten and sent with their new length; event and stats streams are
 * rewritten line by line as they stream; everything else (logs, archives, exports, attach) passes
 * untouched and unbuffered.
 */
final class TenantViewResponse extends ServerHttpResponseDecorator {

	/** The most of a JSON answer read whole; a container list of a full plan is far below. */
	static final int MAX_BODY = 32 * 1024 * 1024;

	private enum Treatment {

		PASS, JSON, ERROR, LINES_WHOLE, LINES

	}

	private final TenantView view;

	TenantViewResponse(ServerHttpResponse delegate, TenantView view) {
		super(delegate);
		this.view = view;
	}

	@Override
	public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
		return switch (treatment()) {
			case PASS -> super.writeWith(body);
			case ERROR -> whole(Flux.from(body), view::error);
			case JSON -> whole(Flux.from(body), view::json);
			case LINES_WHOLE, LINES -> whole(Flux.from(body), this::allLines);
		};
	}

	@Override
	public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
		return switch (treatment()) {
			case PASS -> super.writeAndFlushWith(body);
			case ERROR -> whole(Flux.from(body).concatMap(Flux::from), view::error);
			case JSON -> whole(Flux.from(body).concatMap(Flux::from), view::json);
			case LINES_WHOLE -> whole(Flux.from(body).concatMap(Flux::from), this::allLines);
			case LINES -> {
				TenantView.Lines lines = view.lines();
				Flux<Publisher<DataBuffer>> rewritten = Flux.from(body)
					.map(chunk -> Flux.from(chunk).map(buffer -> wrap(lines.feed(read(buffer)))));
				yield super.writeAndFlushWith(rewritten.concatWith(Mono.fromCallable(() -> Mono.just(wrap(lines.finish())))));
			}
		};
	}

	/** Decided once the status and headers are known, i.e. when the body is written. */
	private Treatment treatment() {
		HttpStatusCode status = getStatusCode();
		if (status == null) {
			return Treatment.PASS;
		}
		if (status.isError()) {
			MediaType type = getHeaders().getContentType();
			return type != null && MediaType.APPLICATION_JSON.isCompatibleWith(type) ? Treatment.ERROR : Treatment.PASS;
		}
		if (!status.is2xxSuccessful()) {
			return Treatment.PASS;
		}
		return switch (view.shape()) {
			case UNCHANGED -> Treatment.PASS;
			case JSON -> Treatment.JSON;
			// a stats answer without streaming has a length: read it whole
			case LINES -> getHeaders().getContentLength() >= 0 ? Treatment.LINES_WHOLE : Treatment.LINES;
		};
	}

	private byte[] allLines(byte[] bytes) {
		TenantView.Lines lines = view.lines();
		ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length + 64);
		out.writeBytes(lines.feed(bytes));
		out.writeBytes(lines.finish());
		return out.toByteArray();
	}

	/** Reads a small body whole, rewrites it and writes it with its new length. */
	private Mono<Void> whole(Flux<? extends DataBuffer> body, UnaryOperator<byte[]> rewrite) {
		return body.reduceWith(ByteArrayOutputStream::new, (out, buffer) -> {
			try {
				if (out.size() + buffer.readableByteCount() > MAX_BODY) {
					throw new DockerApiException(HttpStatus.BAD_GATEWAY,
							"the engine's answer is larger than Berth reads whole (" + MAX_BODY + " bytes)");
				}
				byte[] bytes = new byte[buffer.readableByteCount()];
				buffer.read(bytes);
				out.writeBytes(bytes);
				return out;
			}
			finally {
				DataBufferUtils.release(buffer);
			}
		}).flatMap(read -> {
			byte[] original = read.toByteArray();
			if (original.length == 0) {
				// HEAD, 204: the engine's headers stand as they are
				return super.writeWith(Flux.empty());
			}
			byte[] shown = rewrite.apply(original);
			HttpHeaders headers = getHeaders();
			headers.remove(HttpHeaders.TRANSFER_ENCODING);
			headers.setContentLength(shown.length);
			return super.writeWith(Mono.just(wrap(shown)));
		});
	}

	private static byte[] read(DataBuffer buffer) {
		try {
			byte[] bytes = new byte[buffer.readableByteCount()];
			buffer.read(bytes);
			return bytes;
		}
		finally {
			DataBufferUtils.release(buffer);
		}
	}

	private DataBuffer wrap(byte[] bytes) {
		return bufferFactory().wrap(bytes);
	}

}
