package berth.gateway.fastpath;

import java.util.ArrayDeque;
import java.util.function.UnaryOperator;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import reactor.core.publisher.Mono;

import berth.gateway.ErrorResponses;
import berth.gateway.ForwardedHeaders;
import berth.gateway.NettyHeaders;
import berth.gateway.PeerCertificates;
import berth.account.TenantRef;
import berth.backend.Engine;
import berth.gateway.admission.Admission;
import berth.gateway.admission.Forward;
import berth.isolation.TenantView;
import berth.metrics.GatewayMetrics.Direction;
import berth.policy.Endpoints;
import berth.policy.AfterAnswer;
import berth.web.DockerApiException;
import berth.web.DockerErrors;

/**
 * One request on the fast path, decided exactly as the gateway's filters decide it: authenticated,
 * put to the policy, checked for ownership (the target rewritten as the isolation filter rewrites
 * it), then forwarded on a pooled engine connection of the client's event loop. The answer streams
 * back as it arrives, the client's writability pacing the reads from the engine; a request body
 * streams to the engine the same way. An answer a feature rewrites (see {@link AnswerRewrites}) is
 * gathered whole, rewritten and sent with its new length. Refusals are answered in the engine's error
 * shape, and every request is timed like the gateway's.
 */
final class FastExchange implements EngineConnections.Listener {

	private static final Logger log = LoggerFactory.getLogger(FastExchange.class);

	/** The largest answer rewritten whole: lists and inspects are far smaller. */
	static final int MAX_WHOLE = 16 * 1024 * 1024;

	/** At most this many pieces of body are gathered into one before it goes on to the engine. */
	private static final int MAX_BURST_PIECES = 16;

	private static final DockerApiException UNREACHABLE = new DockerApiException(HttpStatus.BAD_GATEWAY,
			"the Docker engine is not reachable right now");

	private final FastPath connection;

	private final ChannelHandlerContext client;

	private final FastPathSupport support;

	private final HttpRequest request;

	private final String method;

	private final String rawPath;

	private final @Nullable String rawQuery;

	private final boolean keepAlive;

	private final boolean hasBody;

	private final boolean chunked;

	private final long started = System.nanoTime();

	/** The client has more of the request body to send. */
	private boolean requestOpen = true;

	/** Body read before the engine connection was ready. */
	private @Nullable ArrayDeque<HttpContent> early;

	/**
	 * Body read in the current burst of reads, sent on as one piece when the burst ends: a chunked
	 * body goes to the engine in chunks as large as the reads, not as small as the pieces the codec
	 * cut at the client's chunk boundaries.
	 */
	private @Nullable CompositeByteBuf burst;

	private @Nullable TenantRef tenant;

	/** What runs once the exchange is over; set when the request was admitted. */
	private @Nullable AfterAnswer after;

	private @Nullable Engine engine;

	private String target = "";

	private EngineConnections.@Nullable Link link;

	private boolean reusedLink;

	private boolean retried;

	/** Where the request stands on its way to the engine. */
	private enum Sending {

		/** Not written yet: being admitted, or waiting for an engine connection (again, after a retry). */
		WAITING,
		/** The head is written; the body streams on. */
		FORWARDING,
		/** All of it is written, the last content too. */
		SENT

	}

	/** Where the engine's answer stands; {@link #FINISHED} once the exchange is over, whoever ended it. */
	private enum Answering {

		AWAITED,
		/** An informational answer (100 Continue) is being relayed; the final one follows. */
		INFORMATIONAL,
		/** The head is held while the body is gathered to be rewritten whole. */
		GATHERING,
		/** The head has been relayed: from then on only closing can tell the client of a failure. */
		RELAYING, FINISHED

	}

	private Sending sending = Sending.WAITING;

	private Answering answering = Answering.AWAITED;

	/** The engine's final status, once its head arrived; its head has then been relayed. */
	private int status;

	private boolean engineKeepAlive;

	/** How the tenant is shown the answer, and, while an answer is gathered whole, its head and body. */
	private AnswerRewrites.@Nullable Rewrite view;

	private @Nullable UnaryOperator<byte[]> rewrite;

	private @Nullable HttpResponse heldHead;

	private @Nullable CompositeByteBuf whole;

	/** The client connection reads on its own (reactor-netty's own setting is off). */
	private boolean clientAutoRead;

	FastExchange(FastPath connection, ChannelHandlerContext client, FastPathSupport support, HttpRequest request) {
		this.connection = connection;
		this.client = client;
		this.support = support;
		this.request = request;
		this.method = request.method().name();
		String uri = request.uri();
		int query = uri.indexOf('?');
		this.rawPath = query < 0 ? uri : uri.substring(0, query);
		this.rawQuery = query < 0 ? null : uri.substring(query + 1);
		this.keepAlive = HttpUtil.isKeepAlive(request);
		this.hasBody = FastPathSupport.hasBody(request);
		this.chunked = HttpUtil.isTransferEncodingChunked(request);
	}

	/** Whether the client has yet to send the end of the request (for a request without a body, its empty end). */
	boolean requestOpen() {
		return requestOpen;
	}

	private boolean finished() {
		return answering == Answering.FINISHED;
	}

	/** Whether some of the request body is still on its way: the connection cannot carry another request. */
	private boolean bodyLeft() {
		return hasBody && requestOpen;
	}

	void start() {
		Admission.BodyReader body = hasBody ? STREAMED : Admission.BodyReader.NONE;
		OnLoop.subscribe(
				support.admission()
					.admit(method, request.uri(), NettyHeaders.of(request.headers()), body,
							new Admission.Connection(PeerCertificates.of(client.channel()))),
				client.executor(), this::admitted, this::refuse);
	}

	/** The fast path carries only streamed bodies, which the admission never reads. */
	private static final Admission.BodyReader STREAMED = new Admission.BodyReader() {

		@Override
		public boolean announced() {
			return true;
		}

		@Override
		public Mono<byte[]> read(int max) {
			return Mono.error(new IllegalStateException("the fast path carries no body the policy reads"));
		}

	};

	private void admitted(Forward forward) {
		if (finished()) {
			forward.after().run();
			return;
		}
		this.tenant = forward.tenant();
		this.after = forward.after();
		this.target = forward.target();
		this.engine = forward.engine();
		TenantView shown = forward.view();
		view = shown == null ? null : support.answers().of(shown);
		support.connections().acquire(forward.engine(), client.channel(), this, this::connected);
	}

	private void connected(EngineConnections.@Nullable Link acquired, @Nullable Throwable error) {
		if (acquired == null) {
			if (!finished()) {
				log.warn("engine for tenant {} unreachable: {}", tenant == null ? "?" : tenant.name(), String.valueOf(error));
				refuse(UNREACHABLE);
			}
			return;
		}
		if (finished()) {
			support.connections().release(acquired);
			return;
		}
		link = acquired;
		reusedLink = acquired.reused();
		forward(acquired.channel());
	}

	/** Writes the request to the engine: the target the isolation check produced, forwarded headers only. */
	private void forward(Channel engineChannel) {
		Engine target = this.engine;
		if (target == null) {
			throw new IllegalStateException("forwarding before an engine was chosen");
		}
		request.setUri(this.target);
		request.setProtocolVersion(HttpVersion.HTTP_1_1);
		HttpHeaders headers = request.headers();
		ForwardedHeaders.toEngine(headers, target, false);
		if (chunked) {
			headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
		}
		else if (!hasBody) {
			headers.set(HttpHeaderNames.CONTENT_LENGTH, HttpHeaderValues.ZERO);
		}
		sending = Sending.FORWARDING;
		engineChannel.write(request);
		if (!hasBody) {
			// the client's (empty) last content is not needed: a retry can send this again
			engineChannel.write(LastHttpContent.EMPTY_LAST_CONTENT);
			sending = Sending.SENT;
		}
		else if (early != null) {
			HttpContent content;
			while ((content = early.poll()) != null) {
				toEngine(engineChannel, content);
			}
		}
		pace(engineChannel);
		engineChannel.flush();
	}

	/** A part of the request body, from the client. */
	void content(Object msg) {
		if (!(msg instanceof HttpContent content)) {
			ReferenceCountUtil.release(msg);
			return;
		}
		boolean last = content instanceof LastHttpContent;
		if (last) {
			requestOpen = false;
		}
		if (finished() || !hasBody) {
			content.release();
			return;
		}
		if (content.decoderResult().isFailure()) {
			// a body the codec cannot frame (a broken chunk): the engine must not take what came as all of it
			content.release();
			abort(status == 0 ? 400 : status);
			client.close();
			return;
		}
		int size = content.content().readableBytes();
		if (size > 0) {
			support.metrics().httpBytes(Direction.UPSTREAM, size);
		}
		EngineConnections.Link current = link;
		if (current != null && sending != Sending.WAITING) {
			if (last) {
				sendBurst(current.channel());
				toEngine(current.channel(), content);
				clientReading(false);
				current.channel().flush();
			}
			else if (size > 0) {
				CompositeByteBuf gathered = burst;
				if (gathered == null) {
					gathered = client.alloc().compositeDirectBuffer(MAX_BURST_PIECES);
					burst = gathered;
				}
				gathered.addComponent(true, content.content().retain());
				content.release();
				if (gathered.numComponents() >= MAX_BURST_PIECES) {
					sendBurst(current.channel());
					pace(current.channel());
				}
			}
			else {
				content.release();
			}
		}
		else {
			if (early == null) {
				early = new ArrayDeque<>(4);
			}
			early.add(content);
		}
	}

	private void sendBurst(Channel engineChannel) {
		CompositeByteBuf gathered = burst;
		if (gathered != null) {
			burst = null;
			engineChannel.write(new DefaultHttpContent(gathered), engineChannel.voidPromise());
		}
	}

	private void toEngine(Channel engineChannel, HttpContent content) {
		HttpContent out = content;
		if (content instanceof LastHttpContent last) {
			sending = Sending.SENT;
			if (!last.trailingHeaders().isEmpty()) {
				out = new DefaultLastHttpContent(last.content().retain());
				last.release();
			}
		}
		engineChannel.write(out, engineChannel.voidPromise());
	}

	/**
	 * Streams the request body as fast as the engine takes it: the client connection reads on its
	 * own while the engine connection is writable, and stops when it is not (until
	 * {@link #engineWritable}). Stopping comes before the flush: a flush that drains the engine
	 * connection at once resumes reading from inside it.
	 */
	private void pace(Channel engineChannel) {
		if (!requestOpen || finished()) {
			return;
		}
		if (engineChannel.isWritable()) {
			clientReading(true);
		}
		else {
			clientReading(false);
			engineChannel.flush();
		}
	}

	private void clientReading(boolean on) {
		if (clientAutoRead != on) {
			clientAutoRead = on;
			client.channel().config().setAutoRead(on);
		}
	}

	void clientReadComplete() {
		EngineConnections.Link current = link;
		if (current != null && sending != Sending.WAITING && !finished()) {
			sendBurst(current.channel());
			pace(current.channel());
			current.channel().flush();
		}
	}

	@Override
	public void engineWritable() {
		if (requestOpen && sending != Sending.WAITING && !finished()) {
			clientReading(true);
		}
	}

	void clientWritabilityChanged() {
		EngineConnections.Link current = link;
		if (current != null && client.channel().isWritable()) {
			current.channel().config().setAutoRead(true);
		}
	}

	@Override
	public void engineRead(Object msg) {
		if (finished()) {
			ReferenceCountUtil.release(msg);
			return;
		}
		if (msg instanceof HttpResponse head) {
			if (head.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
				answering = Answering.INFORMATIONAL;
				client.write(head);
			}
			else {
				answer(head);
			}
			return;
		}
		if (!(msg instanceof HttpContent content)) {
			ReferenceCountUtil.release(msg);
			return;
		}
		if (answering == Answering.INFORMATIONAL) {
			if (content instanceof LastHttpContent) {
				answering = Answering.AWAITED;
			}
			client.write(content);
			return;
		}
		if (whole != null) {
			gather(whole, content);
			return;
		}
		int size = content.content().readableBytes();
		if (size > 0) {
			support.metrics().httpBytes(Direction.DOWNSTREAM, size);
		}
		if (content instanceof LastHttpContent) {
			answered(content);
			return;
		}
		client.write(content);
		EngineConnections.Link current = link;
		if (current != null && !client.channel().isWritable()) {
			current.channel().config().setAutoRead(false);
		}
	}

	/** The engine's head, relayed with the client's framing and keep-alive instead of the engine's. */
	private void answer(HttpResponse head) {
		status = head.status().code();
		engineKeepAlive = HttpUtil.isKeepAlive(head);
		HttpHeaders headers = head.headers();
		boolean sized = headers.contains(HttpHeaderNames.CONTENT_LENGTH);
		boolean streamed = HttpUtil.isTransferEncodingChunked(head);
		ForwardedHeaders.dropFromResponse(headers);
		boolean bodiless = request.method().equals(HttpMethod.HEAD) || status == 204 || status == 304;
		if (streamed || (!sized && !bodiless)) {
			headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
		}
		if (!keepAlive) {
			headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
		}
		UnaryOperator<byte[]> function = view == null || bodiless ? null : view.whole(status);
		if (function != null) {
			rewrite = function;
			heldHead = head;
			whole = client.alloc().compositeBuffer();
			answering = Answering.GATHERING;
			return;
		}
		answering = Answering.RELAYING;
		client.write(head);
	}

	/** A part of an answer that is rewritten whole; the last one has it shown. */
	private void gather(CompositeByteBuf gathered, HttpContent content) {
		boolean last = content instanceof LastHttpContent;
		if (gathered.readableBytes() + content.content().readableBytes() > MAX_WHOLE) {
			content.release();
			refuse(new DockerApiException(HttpStatus.BAD_GATEWAY,
					"the Docker engine's answer is larger than " + MAX_WHOLE / (1024 * 1024) + " MiB, too large to show"));
			return;
		}
		gathered.addComponent(true, content.content().retain());
		content.release();
		if (last) {
			showWhole(gathered);
		}
	}

	/** Sends the rewritten answer, framed by its new length. */
	private void showWhole(CompositeByteBuf gathered) {
		byte[] body = ByteBufUtil.getBytes(gathered);
		gathered.release();
		whole = null;
		UnaryOperator<byte[]> function = rewrite;
		HttpResponse head = heldHead;
		if (function == null || head == null) {
			throw new IllegalStateException("an answer gathered without its rewrite");
		}
		byte[] shown;
		try {
			shown = function.apply(body);
		}
		catch (RuntimeException e) {
			refuse(e);
			return;
		}
		heldHead = null;
		head.headers().remove(HttpHeaderNames.TRANSFER_ENCODING).set(HttpHeaderNames.CONTENT_LENGTH, shown.length);
		answering = Answering.RELAYING;
		client.write(head);
		if (shown.length > 0) {
			support.metrics().httpBytes(Direction.DOWNSTREAM, shown.length);
		}
		answered(new DefaultLastHttpContent(Unpooled.wrappedBuffer(shown)));
	}

	@Override
	public void engineReadComplete() {
		if (!finished()) {
			client.flush();
		}
	}

	/** The engine's answer is complete: its connection goes back to the pool if it is clean. */
	private void answered(HttpContent last) {
		answering = Answering.FINISHED;
		// the engine may answer before the whole body came (an upload it refused): what was gathered goes
		releaseEarly();
		EngineConnections.Link current = link;
		link = null;
		if (current != null) {
			if (engineKeepAlive && sending == Sending.SENT) {
				support.connections().release(current);
			}
			else {
				EngineConnections.discard(current);
			}
		}
		clientReading(false);
		record(status);
		handBack(client.writeAndFlush(last));
	}

	@Override
	public void engineClosed() {
		if (finished()) {
			return;
		}
		link = null;
		if (answering == Answering.RELAYING || answering == Answering.INFORMATIONAL) {
			// the answer was cut short: the only way to tell the client is to close
			abort(status);
			client.close();
			return;
		}
		Engine chosen = engine;
		if (status == 0 && reusedLink && !retried && !hasBody && chosen != null
				&& (request.method().equals(HttpMethod.GET) || request.method().equals(HttpMethod.HEAD))) {
			// an idle connection the engine closed as it was reused: a read is asked again on a new one
			retried = true;
			sending = Sending.WAITING;
			support.connections().acquire(chosen, client.channel(), this, this::connected);
			return;
		}
		log.warn("engine for tenant {} closed the connection before answering {} {}",
				tenant == null ? "?" : tenant.name(), method, Endpoints.template(rawPath));
		refuse(UNREACHABLE);
	}

	/** Answers a refusal or failure in the engine's error shape, before any of the engine's answer. */
	private void refuse(Throwable error) {
		if (finished()) {
			return;
		}
		if (answering == Answering.RELAYING) {
			abort(status);
			client.close();
			return;
		}
		stop();
		DockerErrors.Answer answer = DockerErrors.answerFor(error, method, rawPath);
		DefaultFullHttpResponse response = ErrorResponses.of(answer);
		if (!keepAlive) {
			response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
		}
		record(answer.status());
		handBack(client.writeAndFlush(response));
	}

	/**
	 * Gives the connection back once the answer is on its way. A body the client is still sending is
	 * read and dropped by the {@link FastPath} before the connection carries on or closes: closing at
	 * once would break the client's write before it reads the answer.
	 */
	private void handBack(ChannelFuture written) {
		if (!keepAlive && !bodyLeft()) {
			written.addListener(ChannelFutureListener.CLOSE);
		}
		connection.finished(this, !keepAlive);
	}

	/** The client went away: so does the engine connection, which is in an unknown state. */
	void clientClosed() {
		abort(status == 0 ? 200 : status);
	}

	private void abort(int recordedStatus) {
		if (finished()) {
			return;
		}
		stop();
		record(recordedStatus);
		connection.finished(this, true);
	}

	/** Ends the exchange before the engine's answer did: its engine connection is in an unknown state. */
	private void stop() {
		answering = Answering.FINISHED;
		EngineConnections.Link current = link;
		link = null;
		if (current != null) {
			EngineConnections.discard(current);
		}
		releaseEarly();
		clientReading(false);
	}

	private void releaseEarly() {
		AfterAnswer held = after;
		if (held != null) {
			after = null;
			held.run();
		}
		if (burst != null) {
			burst.release();
			burst = null;
		}
		if (whole != null) {
			whole.release();
			whole = null;
		}
		if (early != null) {
			HttpContent content;
			while ((content = early.poll()) != null) {
				content.release();
			}
		}
	}

	private void record(int recordedStatus) {
		support.metrics().request(Endpoints.template(rawPath), method, recordedStatus, System.nanoTime() - started);
	}

}
