package berth.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

class ImagePathsTest {

	@Test
	void imageNamesAreDecodedAsTheEngineDecodesThem() {
		assertThat(ImagePaths.decoded("/v1.41/images/testcontainers%2Fryuk:0.14.0/json"))
			.isEqualTo("/v1.41/images/testcontainers/ryuk:0.14.0/json");
		assertThat(ImagePaths.decoded("/images/127.0.0.1%3A5000%2fx%2Fy%40sha256%3Aab/json"))
			.isEqualTo("/images/127.0.0.1:5000/x/y@sha256:ab/json");
		assertThat(ImagePaths.decoded("/v1.41/distribution/a%2Fb/json")).isEqualTo("/v1.41/distribution/a/b/json");
		DefaultHttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST,
				"/v1.41/images/a%2Fb/tag?repo=c%2Fd&tag=1");
		ImagePaths.decode(head);
		assertThat(head.uri()).as("the query is left as it is").isEqualTo("/v1.41/images/a/b/tag?repo=c%2Fd&tag=1");
	}

	@Test
	void otherPathsAndOtherEscapesStayForThePolicyToRefuse() {
		assertThat(ImagePaths.decoded("/v1.41/containers/a%2Fb/json")).isEqualTo("/v1.41/containers/a%2Fb/json");
		assertThat(ImagePaths.decoded("/v1.41/images/a%2Fb%2e%2e/json")).isEqualTo("/v1.41/images/a%2Fb%2e%2e/json");
		assertThat(ImagePaths.decoded("/v1.41/images/%2e%2e%2Fcontainers/json")).contains("%");
	}

}
