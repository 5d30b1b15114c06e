package berth.isolation;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.springframework.http.HttpStatus;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import berth.web.DockerApiException;

/**
 * The images a Dockerfile builds on ({@code FROM}, {@code COPY --from}), resolved for the tenant
 * before the classic builder sees them: the builder looks images up on the shared engine by itself,
 * where another tenant's image (by engine-side name, ID or digest) would otherwise be at hand. Each
 * such reference is replaced by the one the resolver gives; the instructions around them are left as
 * they were written. Variables in those references are expanded from the global {@code ARG}s and the
 * build's arguments; forms beyond {@code $NAME} and {@code ${NAME}} are refused.
 */
final class DockerfileImages {

	private static final Pattern DIRECTIVE = Pattern.compile("^\\s*#\\s*([a-zA-Z]+)\\s*=\\s*(\\S*)\\s*$");

	private static final Pattern VARIABLE = Pattern.compile("\\$(?:\\{([A-Za-z_][A-Za-z0-9_]*)\\}|([A-Za-z_][A-Za-z0-9_]*))");

	/** One instruction: the physical lines it spans and its text with continuations joined. */
	private record Instruction(int first, int last, String text) {
	}

	private DockerfileImages() {
	}

	/**
	 * @param resolver the reference to give the builder for one the Dockerfile names, or an error
	 */
	static Mono<byte[]> rewrite(byte[] dockerfile, Map<String, String> buildArgs, Function<String, Mono<String>> resolver) {
		String text = new String(dockerfile, StandardCharsets.UTF_8);
		List<String> lines = physicalLines(text);
		List<Instruction> instructions = instructions(lines);
		Map<String, String> args = new HashMap<>();
		Set<String> stages = new HashSet<>();
		boolean seenFrom = false;
		List<Mono<String[]>> replacements = new ArrayList<>();
		for (int n = 0; n < instructions.size(); n++) {
			Instruction instruction = instructions.get(n);
			String position = String.valueOf(n);
			String[] words = instruction.text().trim().split("\\s+");
			String keyword = words[0].toUpperCase(Locale.ROOT);
			if (keyword.equals("ARG") && !seenFrom) {
				for (int i = 1; i < words.length; i++) {
					int eq = words[i].indexOf('=');
					String name = eq < 0 ? words[i] : words[i].substring(0, eq);
					String value = eq < 0 ? null : unquote(words[i].substring(eq + 1));
					String given = buildArgs.containsKey(name) ? buildArgs.get(name) : value;
					if (given != null) {
						args.put(name, given);
					}
				}
			}
			else if (keyword.equals("FROM")) {
				seenFrom = true;
				int at = 1;
				while (at < words.length && words[at].startsWith("--")) {
					at++;
				}
				if (at >= words.length) {
					continue;
				}
				String image = expand(words[at], args);
				String stage = at + 2 < words.length && words[at + 1].equalsIgnoreCase("AS") ? words[at + 2] : null;
				if (!image.equalsIgnoreCase("scratch") && !stages.contains(image.toLowerCase(Locale.ROOT))) {
					int index = at;
					replacements.add(resolver.apply(image).map(resolved -> {
						String[] replaced = words.clone();
						replaced[index] = resolved;
						return new String[] { position, String.join(" ", replaced) };
					}));
				}
				if (stage != null) {
					stages.add(stage.toLowerCase(Locale.ROOT));
				}
			}
			else if (keyword.equals("COPY")) {
				for (int i = 1; i < words.length && words[i].startsWith("--"); i++) {
					if (!words[i].toLowerCase(Locale.ROOT).startsWith("--from=")) {
						continue;
					}
					String from = words[i].substring("--from=".length());
					if (from.contains("$")) {
						throw refused("COPY --from with a variable");
					}
					if (from.matches("[0-9]+") || stages.contains(from.toLowerCase(Locale.ROOT))) {
						continue;
					}
					int index = i;
					replacements.add(resolver.apply(from).map(resolved -> {
						String[] replaced = words.clone();
						replaced[index] = words[index].substring(0, "--from=".length()) + resolved;
						return new String[] { position, String.join(" ", replaced) };
					}));
				}
			}
		}
		return Flux.concat(replacements).collectList().map(done -> {
			Map<Integer, String> replaced = new HashMap<>();
			for (String[] pair : done) {
				replaced.put(Integer.parseInt(pair[0]), pair[1]);
			}
			StringBuilder out = new StringBuilder();
			int line = 0;
			for (int i = 0; i < instructions.size(); i++) {
				Instruction instruction = instructions.get(i);
				String replacement = replaced.get(i);
				if (replacement == null) {
					continue;
				}
				while (line < instruction.first()) {
					out.append(lines.get(line++));
				}
				out.append(replacement).append('\n');
				line = instruction.last() + 1;
			}
			while (line < lines.size()) {
				out.append(lines.get(line++));
			}
			return out.toString().getBytes(StandardCharsets.UTF_8);
		});
	}

	private static List<String> physicalLines(String text) {
		List<String> lines = new ArrayList<>();
		int start = 0;
		for (int i = 0; i < text.length(); i++) {
			if (text.charAt(i) == '\n') {
				lines.add(text.substring(start, i + 1));
				start = i + 1;
			}
		}
		if (start < text.length()) {
			lines.add(text.substring(start));
		}
		return lines;
	}

	/** Instructions as the classic builder's parser reads them: directives, comments, continuations. */
	private static List<Instruction> instructions(List<String> lines) {
		char escape = '\\';
		int at = 0;
		while (at < lines.size()) {
			Matcher directive = DIRECTIVE.matcher(strip(lines.get(at)));
			if (!directive.matches()) {
				break;
			}
			if (directive.group(1).equalsIgnoreCase("escape") && directive.group(2).length() == 1) {
				escape = directive.group(2).charAt(0);
			}
			at++;
		}
		List<Instruction> instructions = new ArrayList<>();
		StringBuilder text = null;
		int first = 0;
		for (int i = at; i < lines.size(); i++) {
			String line = strip(lines.get(i));
			String trimmed = line.strip();
			if (trimmed.startsWith("#") || (trimmed.isEmpty() && text == null)) {
				continue;
			}
			if (text == null) {
				text = new StringBuilder();
				first = i;
			}
			String content = line.stripTrailing();
			if (!content.isEmpty() && content.charAt(content.length() - 1) == escape) {
				text.append(content, 0, content.length() - 1);
				continue;
			}
			text.append(content);
			instructions.add(new Instruction(first, i, text.toString()));
			text = null;
		}
		if (text != null && !text.toString().isBlank()) {
			instructions.add(new Instruction(first, lines.size() - 1, text.toString()));
		}
		return instructions;
	}

	private static String strip(String line) {
		return line.endsWith("\r\n") ? line.substring(0, line.length() - 2)
				: line.endsWith("\n") ? line.substring(0, line.length() - 1) : line;
	}

	private static String expand(String word, Map<String, String> args) {
		if (word.contains("${") && !word.matches(".*\\$\\{[A-Za-z_][A-Za-z0-9_]*\\}.*")) {
			throw refused("FROM with a variable form other than $NAME or ${NAME}");
		}
		Matcher m = VARIABLE.matcher(word);
		StringBuilder out = new StringBuilder();
		while (m.find()) {
			String name = m.group(1) != null ? m.group(1) : m.group(2);
			m.appendReplacement(out, Matcher.quoteReplacement(args.getOrDefault(name, "")));
		}
		m.appendTail(out);
		if (out.indexOf("$") >= 0) {
			throw refused("FROM with a variable form other than $NAME or ${NAME}");
		}
		return out.toString();
	}

	private static String unquote(String value) {
		if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
				|| value.startsWith("'") && value.endsWith("'"))) {
			return value.substring(1, value.length() - 1);
		}
		return value;
	}

	private static DockerApiException refused(String what) {
		return new DockerApiException(HttpStatus.BAD_REQUEST, "Dockerfiles with " + what + " cannot be built through Berth");
	}

}
