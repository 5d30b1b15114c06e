package berth.web;

import java.nio.charset.StandardCharsets;

/** The engine's error body, for code that writes bytes itself (the hijack path). */
public final class DockerErrors {

	private DockerErrors() {
	}

	public static byte[] body(String message) {
		StringBuilder out = new StringBuilder("{\"message\":\"");
		for (char c : message.toCharArray()) {
			switch (c) {
				case '"' -> out.append("\\\"");
				case '\\' -> out.append("\\\\");
				case '\n' -> out.append("\\n");
				case '\r' -> out.append("\\r");
				case '\t' -> out.append("\\t");
				default -> {
					if (c < 0x20) {
						out.append(String.format("\\u%04x", (int) c));
					}
					else {
						out.append(c);
					}
				}
			}
		}
		return out.append("\"}\n").toString().getBytes(StandardCharsets.UTF_8);
	}

}
