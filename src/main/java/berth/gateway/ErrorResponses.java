package berth.gateway;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

import berth.web.DockerErrors;

/** An error answer in the engine's shape, for the handlers that write Netty messages themselves. */
public final class ErrorResponses {

	private ErrorResponses() {
	}

	public static DefaultFullHttpResponse of(DockerErrors.Answer answer) {
		byte[] body = answer.body();
		DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
				HttpResponseStatus.valueOf(answer.status()), Unpooled.wrappedBuffer(body));
		response.headers()
			.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
			.set(HttpHeaderNames.CONTENT_LENGTH, body.length);
		if (answer.retryAfterSeconds() > 0) {
			response.headers().set(HttpHeaderNames.RETRY_AFTER, answer.retryAfterSeconds());
		}
		return response;
	}

}
