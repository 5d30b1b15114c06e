package berth.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.context.ApplicationEventPublisher;
import tools.jackson.databind.json.JsonMapper;

class ContainerEventsTest {

	@Test
	void linesSpanChunksAndMultiByteCharacters() {
		ContainerEvents.Lines lines = new ContainerEvents.Lines();
		byte[] all = "{\"a\":\"é\"}\n{\"b\":1}\n\n{\"c\"".getBytes(StandardCharsets.UTF_8);
		List<String> out = new ArrayList<>();
		for (byte b : all) {
			out.addAll(lines.feed(new byte[] { b }));
		}
		assertThat(out).containsExactly("{\"a\":\"é\"}", "{\"b\":1}");
		assertThat(lines.feed(":2}\n".getBytes(StandardCharsets.UTF_8))).containsExactly("{\"c\":2}");
	}

	@Test
	void engineEventsBecomeContainerEvents() {
		List<Object> published = new ArrayList<>();
		ApplicationEventPublisher publisher = published::add;
		ContainerEvents events = new ContainerEvents(null, publisher, JsonMapper.builder().build());
		Engine engine = new Engine("e", EngineAddress.parse("tcp://127.0.0.1:1"), Engine.Kind.SHARED);
		events.dispatch(engine, """
				{"status":"start","id":"abc","Type":"container","Action":"start",
				 "Actor":{"ID":"abc","Attributes":{"berth.tenant":"acme","image":"busybox"}},"time":1}""");
		events.dispatch(engine, "{\"Type\":\"container\",\"Action\":\"die\",\"Actor\":{\"ID\":\"abc\",\"Attributes\":{}}}");
		events.dispatch(engine, "{\"Type\":\"container\",\"Action\":\"destroy\",\"Actor\":{\"ID\":\"abc\"}}");
		events.dispatch(engine, "{\"Type\":\"network\",\"Action\":\"destroy\",\"Actor\":{\"ID\":\"n\"}}");
		events.dispatch(engine, "not json");
		assertThat(published).hasSize(3);
		assertThat(published.get(0)).isInstanceOfSatisfying(ContainerStarted.class,
				started -> assertThat(started.labels()).containsEntry("berth.tenant", "acme"));
		assertThat(published.get(1)).isInstanceOf(ContainerStopped.class);
		assertThat(published.get(2)).isInstanceOf(ContainerRemoved.class);
	}

}
