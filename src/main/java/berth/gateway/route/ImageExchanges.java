package berth.gateway.route;

import java.net.URI;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.reactivestreams.Publisher;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.NettyDataBuffer;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import berth.account.TenantRef;
import berth.isolation.Images;
import berth.isolation.ArchiveRewriter;
import berth.isolation.NameStream;

/**
 * Carries out an image request's {@link Images.Plan}: answers it, or forwards it to its target with
 * the engine-side names in the streamed answer written back in the tenant's form, then runs what has
 * to follow (a pull's tag in the tenant's namespace, a push's untag).
 */
final class ImageExchanges {

	private ImageExchanges() {
	}

	static Mono<Void> carryOut(Images.Plan plan, TenantRef tenant, ServerWebExchange exchange,
			GatewayFilterChain chain) {
		if (plan.answer() != null) {
			ServerHttpResponse response = exchange.getResponse();
			response.setStatusCode(HttpStatusCode.valueOf(plan.answer().status()));
			response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
			response.getHeaders().setContentLength(plan.answer().json().length);
			return response.writeWith(Mono.just(response.bufferFactory().wrap(plan.answer().json())));
		}
		ServerHttpRequest request = exchange.getRequest();
		URI uri = request.getURI();
		URI forwarded = URI.create(uri.getScheme() + "://" + uri.getRawAuthority() + plan.target());
		ServerHttpRequest target = request.mutate().uri(forwarded).build();
		if (plan.archive() != null) {
			target = rewrittenArchive(target, plan.archive());
		}
		ServerWebExchange.Builder mutated = exchange.mutate().request(target);
		if (plan.savedArchive() != null) {
			return chain.filter(mutated.response(new SavedArchive(exchange.getResponse(), plan.savedArchive())).build());
		}
		if (!plan.decodeNames() && plan.after() == null) {
			return chain.filter(mutated.build());
		}
		NameStream names = new NameStream(tenant.name());
		mutated.response(new Decoding(exchange.getResponse(), names, plan.decodeNames()));
		java.util.function.Function<Boolean, Mono<Void>> after = plan.after();
		Mono<Void> done = chain.filter(mutated.build());
		return after == null ? done : done.then(Mono.defer(() -> after.apply(names.failed())))
			.onErrorResume(error -> after.apply(true).then(Mono.error(error)));
	}

	/** A {@code docker load} or build body, with a few entries of the archive rewritten as it streams. */
	private static ServerHttpRequest rewrittenArchive(ServerHttpRequest request, ArchiveRewriter archive) {
		HttpHeaders headers = new HttpHeaders();
		headers.putAll(request.getHeaders());
		headers.remove(HttpHeaders.CONTENT_LENGTH);
		// a gzip body goes on inflated (ArchiveRewriter)
		headers.remove(HttpHeaders.CONTENT_ENCODING);
		headers.set(HttpHeaders.TRANSFER_ENCODING, "chunked");
		NettyDataBufferFactory buffers = new NettyDataBufferFactory(ByteBufAllocator.DEFAULT);
		return new ServerHttpRequestDecorator(request) {
			@Override
			public HttpHeaders getHeaders() {
				return headers;
			}

			@Override
			public Flux<DataBuffer> getBody() {
				return super.getBody().concatMap(buffer -> archive.feed(nativeOf(buffer))).map(buffers::wrap);
			}
		};
	}

	private static ByteBuf nativeOf(DataBuffer buffer) {
		if (buffer instanceof NettyDataBuffer netty) {
			return netty.getNativeBuffer();
		}
		byte[] bytes = new byte[buffer.readableByteCount()];
		buffer.read(bytes);
		DataBufferUtils.release(buffer);
		return Unpooled.wrappedBuffer(bytes);
	}

	/** A {@code docker save} archive with the image names inside written back in the tenant's form. */
	private static final class SavedArchive extends ServerHttpResponseDecorator {

		private final ArchiveRewriter archive;

		private final NettyDataBufferFactory buffers = new NettyDataBufferFactory(ByteBufAllocator.DEFAULT);

		SavedArchive(ServerHttpResponse delegate, ArchiveRewriter archive) {
			super(delegate);
			this.archive = archive;
		}

		@Override
		public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
			getHeaders().remove(HttpHeaders.CONTENT_LENGTH);
			return super.writeWith(Flux.from(body).concatMap(buffer -> archive.feed(nativeOf(buffer))).map(buffers::wrap));
		}

		@Override
		public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
			Flux<Publisher<DataBuffer>> renamed = Flux.from(body)
				.<Publisher<DataBuffer>>map(chunks -> Flux.from(chunks)
					.concatMap(buffer -> archive.feed(nativeOf(buffer)))
					.map(buffers::wrap));
			return super.writeAndFlushWith(renamed);
		}

	}

	/** The engine's answer, scanned for errors and, when asked, with the tenant's names written back. */
	private static final class Decoding extends ServerHttpResponseDecorator {

		private final NameStream names;

		private final boolean rewrite;

		Decoding(ServerHttpResponse delegate, NameStream names, boolean rewrite) {
			super(delegate);
			this.names = names;
			this.rewrite = rewrite;
		}

		@Override
		public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
			if (rewrite) {
				getHeaders().remove(HttpHeaders.CONTENT_LENGTH);
			}
			return super.writeWith(Flux.from(body).map(this::pass).concatWith(Mono.fromSupplier(this::finish)));
		}

		@Override
		public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
			Flux<Publisher<DataBuffer>> passed = Flux.from(body)
				.<Publisher<DataBuffer>>map(chunks -> Flux.from(chunks).map(this::pass))
				.concatWith(Mono.fromSupplier(() -> Mono.fromSupplier(this::finish)));
			return super.writeAndFlushWith(passed);
		}

		private DataBuffer pass(DataBuffer buffer) {
			byte[] bytes = new byte[buffer.readableByteCount()];
			buffer.read(bytes);
			DataBufferUtils.release(buffer);
			byte[] out = names.feed(bytes);
			if (!rewrite) {
				return bufferFactory().wrap(bytes);
			}
			return bufferFactory().wrap(out);
		}

		private DataBuffer finish() {
			byte[] rest = names.finish();
			return bufferFactory().wrap(rewrite ? rest : new byte[0]);
		}

	}

}
