package berth.isolation;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.compression.DecompressionException;
import io.netty.handler.codec.compression.ZlibCodecFactory;
import io.netty.handler.codec.compression.ZlibWrapper;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.springframework.http.HttpStatus;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import berth.policy.GoPaths;
import berth.web.DockerApiException;

/**
 * A tar archive on its way to the engine with a few small entries rewritten: for {@code docker load},
 * the metadata files that name images ({@code manifest.json} RepoTags, the legacy
 * {@code repositories}, the OCI {@code index.json} annotations), renamed into the tenant's namespace;
 * for a build, the Dockerfile, with the images it names resolved for the tenant. Such an entry is read
 * whole and rewritten, its tar header given the new size and checksum; every other entry (layers, the
 * build context) streams through as slices of the buffers that arrived. What the engine's tar reader
 * would read differently from this one (PAX sizes, sparse files, global headers, a rewritten entry
 * that is a link) is refused.
 */
public final class ArchiveRewriter {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final int BLOCK = 512;

	private static final int MAX_COLLECTED = 4 << 20;

	private static final Set<String> NAMING = Set.of("manifest.json", "repositories", "index.json");

	private enum Mode {

		HEADER, PASS, COLLECT, END

	}

	private final java.util.function.Predicate<String> rewrites;

	private final java.util.function.BiFunction<String, byte[], Mono<byte[]>> rewrite;

	private final ByteBuf header = Unpooled.buffer(BLOCK, BLOCK);

	private Mode mode = Mode.HEADER;

	private long remaining;

	private final ByteArrayOutputStream collected = new ByteArrayOutputStream();

	private byte @Nullable [] collectedHeader;

	private long collectedSize;

	private @Nullable String longName;

	private boolean first = true;

	/** The path of the metadata entry being collected, as the engine will extract it. */
	private String collectedName = "";

	private ArchiveRewriter(java.util.function.Predicate<String> rewrites,
			java.util.function.BiFunction<String, byte[], Mono<byte[]>> rewrite) {
		this.rewrites = rewrites;
		this.rewrite = rewrite;
	}

	/** @param rename the engine-side name for an image name found in a {@code docker load} archive */
	public static ArchiveRewriter load(UnaryOperator<String> rename) {
		return new ArchiveRewriter(NAMING::contains,
				(name, content) -> Mono.fromCallable(() -> renamed(rename, name, content)));
	}

	/** A build context whose Dockerfile (at the path the build names) is rewritten. */
	public static ArchiveRewriter build(String dockerfile, java.util.function.Function<byte[], Mono<byte[]>> rewrite) {
		String path = clean(dockerfile);
		return new ArchiveRewriter(path::equals, (name, content) -> rewrite.apply(content));
	}

	/** The first bytes, until there are enough to tell a gzip stream from a tar. */
	private @Nullable ByteBuf start = Unpooled.buffer(2);

	/** Inflates a gzip stream (docker-py's {@code gzip=True}, the CLI's {@code --compress}), or null for a tar. */
	private @Nullable EmbeddedChannel gunzip;

	/**
	 * The bytes to send on for a buffer that arrived (which this call releases), in order. A gzip
	 * stream is inflated here and sent on as the tar it holds, which the engine reads as it would have
	 * read the compressed one: the entries this reader checks and rewrites are the ones the engine
	 * extracts.
	 */
	public Flux<ByteBuf> feed(ByteBuf in) {
		if (start != null) {
			start.writeBytes(in, Math.min(start.writableBytes(), in.readableBytes()));
			if (start.isWritable() && !in.isReadable()) {
				in.release();
				return Flux.empty();
			}
			ByteBuf first = Unpooled.wrappedBuffer(start, in);
			boolean gzip = (start.getByte(0) & 0xff) == 0x1f && (start.getByte(1) & 0xff) == 0x8b;
			start = null;
			if (gzip) {
				gunzip = new EmbeddedChannel(ZlibCodecFactory.newZlibDecoder(ZlibWrapper.GZIP));
			}
			in = first;
		}
		if (gunzip == null) {
			return tar(in);
		}
		try {
			gunzip.writeInbound(in);
		}
		catch (DecompressionException e) {
			throw refused("a damaged gzip stream");
		}
		List<Publisher<ByteBuf>> out = new ArrayList<>();
		for (ByteBuf part = gunzip.readInbound(); part != null; part = gunzip.readInbound()) {
			out.add(tar(part));
		}
		return Flux.concat(out);
	}

	private Flux<ByteBuf> tar(ByteBuf in) {
		List<Publisher<ByteBuf>> out = new ArrayList<>();
		try {
			while (in.isReadable()) {
				switch (mode) {
					case HEADER -> {
						header.writeBytes(in, Math.min(BLOCK - header.readableBytes(), in.readableBytes()));
						if (header.readableBytes() == BLOCK) {
							byte[] block = new byte[BLOCK];
							header.readBytes(block);
							header.clear();
							onHeader(block, out);
						}
					}
					case PASS -> {
						int n = (int) Math.min(remaining, in.readableBytes());
						out.add(Mono.just(in.readRetainedSlice(n)));
						remaining -= n;
						if (remaining == 0) {
							mode = Mode.HEADER;
						}
					}
					case COLLECT -> {
						int n = (int) Math.min(remaining, in.readableBytes());
						byte[] chunk = new byte[n];
						in.readBytes(chunk);
						collected.writeBytes(chunk);
						remaining -= n;
						if (remaining == 0) {
							onCollected(out);
						}
					}
					case END -> out.add(Mono.just(in.readRetainedSlice(in.readableBytes())));
				}
			}
			return Flux.concat(out);
		}
		catch (RuntimeException e) {
			Flux.concat(out).subscribe(ByteBuf::release, error -> { });
			throw e;
		}
		finally {
			in.release();
		}
	}

	private void onHeader(byte[] block, List<Publisher<ByteBuf>> out) {
		if (first) {
			first = false;
			if (compressed(block)) {
				// the engine would decompress it first: a tar this reader never saw
				throw refused("compression (send an uncompressed tar)");
			}
		}
		if (isZero(block)) {
			// the end of the archive: the engine's reader takes a zero block as the end, or refuses what follows
			out.add(Mono.just(Unpooled.wrappedBuffer(block)));
			mode = Mode.END;
			return;
		}
		if (!checksumMatches(block)) {
			throw refused("a damaged tar header");
		}
		char type = (char) block[156];
		long size = size(block);
		long padded = (size + BLOCK - 1) / BLOCK * BLOCK;
		if (type == 'g') {
			throw refused("global PAX headers");
		}
		if (type == 'x' || type == 'L' || type == 'K') {
			startCollecting(block, size, padded);
			return;
		}
		String name = clean(longName != null ? longName : name(block));
		longName = null;
		if (rewrites.test(name)) {
			if (type != '0' && type != '\0' && type != '7') {
				throw refused(name + " that is not a regular file");
			}
			collectedName = name;
			startCollecting(block, size, padded);
			return;
		}
		out.add(Mono.just(Unpooled.wrappedBuffer(block)));
		remaining = padded;
		mode = remaining == 0 ? Mode.HEADER : Mode.PASS;
	}

	private void startCollecting(byte[] block, long size, long padded) {
		if (size > MAX_COLLECTED) {
			throw refused("metadata entries over 4 MiB");
		}
		collectedHeader = block;
		collectedSize = size;
		collected.reset();
		remaining = padded;
		mode = Mode.COLLECT;
		if (remaining == 0) {
			mode = Mode.HEADER;
			onCollectedEmpty();
		}
	}

	private void onCollectedEmpty() {
		// an empty metadata entry: nothing to rename, and empty PAX or long-name entries change nothing
		throw refused("empty metadata entries");
	}

	private void onCollected(List<Publisher<ByteBuf>> out) {
		byte[] block = collectedHeader;
		byte[] content = java.util.Arrays.copyOf(collected.toByteArray(), (int) collectedSize);
		collected.reset();
		mode = Mode.HEADER;
		char type = (char) block[156];
		if (type == 'x') {
			longName = paxPath(content);
		}
		else if (type == 'L') {
			int nul = indexOf(content, (byte) 0);
			longName = new String(content, 0, nul < 0 ? content.length : nul, StandardCharsets.UTF_8);
		}
		if (type == 'x' || type == 'L' || type == 'K') {
			emit(block, content, out);
			return;
		}
		out.add(rewrite.apply(collectedName, content).map(renamed -> entry(block, renamed)));
	}

	/** A header like the given one, for the new content, and the content padded to whole blocks. */
	private static ByteBuf entry(byte[] block, byte[] renamed) {
		byte[] rewritten = block.clone();
		writeOctal(rewritten, 124, 12, renamed.length);
		java.util.Arrays.fill(rewritten, 148, 156, (byte) ' ');
		long sum = 0;
		for (byte b : rewritten) {
			sum += b & 0xff;
		}
		writeOctal(rewritten, 148, 7, sum);
		rewritten[155] = ' ';
		int padded = (renamed.length + BLOCK - 1) / BLOCK * BLOCK;
		return Unpooled.wrappedBuffer(rewritten, java.util.Arrays.copyOf(renamed, padded));
	}

	private static void emit(byte[] block, byte[] content, List<Publisher<ByteBuf>> out) {
		int padded = (content.length + BLOCK - 1) / BLOCK * BLOCK;
		out.add(Mono.just(Unpooled.wrappedBuffer(block, java.util.Arrays.copyOf(content, padded))));
	}

	private static byte[] renamed(UnaryOperator<String> rename, String name, byte[] content) {
		JsonNode json;
		try {
			json = JSON.readTree(content);
		}
		catch (tools.jackson.core.JacksonException e) {
			throw refused("an unreadable " + name);
		}
		switch (name) {
			case "manifest.json" -> {
				for (JsonNode image : json) {
					if (image instanceof ObjectNode object && image.get("RepoTags") instanceof ArrayNode tags) {
						ArrayNode renamedTags = object.putArray("RepoTags");
						tags.forEach(tag -> renamedTags.add(rename.apply(tag.asString(""))));
					}
				}
			}
			case "repositories" -> {
				ObjectNode renamedRepos = JSON.createObjectNode();
				for (var repo : json.properties()) {
					for (var tag : repo.getValue().properties()) {
						String full = rename.apply(repo.getKey() + ":" + tag.getKey());
						int colon = full.lastIndexOf(':');
						JsonNode tags = renamedRepos.get(full.substring(0, colon));
						ObjectNode into = tags instanceof ObjectNode existing ? existing
								: renamedRepos.putObject(full.substring(0, colon));
						into.set(full.substring(colon + 1), tag.getValue());
					}
				}
				json = renamedRepos;
			}
			default -> {
				for (JsonNode manifest : json.path("manifests")) {
					if (manifest.get("annotations") instanceof ObjectNode annotations) {
						renameAnnotation(rename, annotations, "io.containerd.image.name");
						JsonNode ref = annotations.get("org.opencontainers.image.ref.name");
						if (ref != null && (ref.asString("").contains("/") || ref.asString("").contains(":"))) {
							renameAnnotation(rename, annotations, "org.opencontainers.image.ref.name");
						}
					}
				}
			}
		}
		return JSON.writeValueAsBytes(json);
	}

	private static void renameAnnotation(UnaryOperator<String> rename, ObjectNode annotations, String key) {
		JsonNode value = annotations.get(key);
		if (value != null) {
			annotations.put(key, rename.apply(value.asString("")));
		}
	}

	private static @Nullable String paxPath(byte[] content) {
		String records = new String(content, StandardCharsets.UTF_8);
		String path = null;
		for (String record : records.split("\n")) {
			int space = record.indexOf(' ');
			int eq = record.indexOf('=');
			if (space < 0 || eq < space) {
				continue;
			}
			String key = record.substring(space + 1, eq);
			if (key.equals("size") || key.startsWith("GNU.sparse")) {
				throw refused("PAX size or sparse records");
			}
			if (key.equals("path")) {
				path = record.substring(eq + 1);
			}
		}
		return path;
	}

	private static String name(byte[] block) {
		String name = field(block, 0, 100);
		boolean ustar = block[257] == 'u' && block[258] == 's' && block[259] == 't' && block[260] == 'a'
				&& block[261] == 'r' && block[262] == 0;
		String prefix = ustar ? field(block, 345, 155) : "";
		return prefix.isEmpty() ? name : prefix + "/" + name;
	}

	/** The path the engine extracts an entry to, relative to the archive's root. */
	static String clean(String name) {
		return GoPaths.cleanRelative(name);
	}

	private static String field(byte[] block, int offset, int length) {
		int end = offset;
		while (end < offset + length && block[end] != 0) {
			end++;
		}
		return new String(block, offset, end - offset, StandardCharsets.UTF_8);
	}

	private static long size(byte[] block) {
		if ((block[124] & 0x80) != 0) {
			long value = 0;
			for (int i = 125; i < 136; i++) {
				value = (value << 8) | (block[i] & 0xff);
			}
			if (value < 0) {
				throw refused("negative sizes");
			}
			return value;
		}
		String octal = field(block, 124, 12).trim();
		try {
			return octal.isEmpty() ? 0 : Long.parseLong(octal, 8);
		}
		catch (NumberFormatException e) {
			throw refused("an unreadable tar header");
		}
	}

	private static void writeOctal(byte[] block, int offset, int length, long value) {
		String octal = Long.toOctalString(value);
		String padded = "0".repeat(Math.max(0, length - 1 - octal.length())) + octal;
		byte[] bytes = padded.getBytes(StandardCharsets.US_ASCII);
		System.arraycopy(bytes, 0, block, offset, length - 1);
		block[offset + length - 1] = 0;
	}

	private static int indexOf(byte[] bytes, byte value) {
		for (int i = 0; i < bytes.length; i++) {
			if (bytes[i] == value) {
				return i;
			}
		}
		return -1;
	}

	/** gzip (inside a gzip stream), bzip2, xz and zstd, which the engine's reader detects and decompresses. */
	private static boolean compressed(byte[] block) {
		int b0 = block[0] & 0xff;
		int b1 = block[1] & 0xff;
		return (b0 == 0x1f && b1 == 0x8b) || (b0 == 'B' && b1 == 'Z' && block[2] == 'h')
				|| (b0 == 0xfd && b1 == '7' && block[2] == 'z' && block[3] == 'X' && block[4] == 'Z')
				|| (b0 == 0x28 && b1 == 0xb5 && (block[2] & 0xff) == 0x2f && (block[3] & 0xff) == 0xfd);
	}

	/** The header checksum, read as Go's reader reads it (unsigned or signed sum). */
	private static boolean checksumMatches(byte[] block) {
		long unsigned = 0;
		long signed = 0;
		for (int i = 0; i < BLOCK; i++) {
			int value = i >= 148 && i < 156 ? ' ' : block[i];
			unsigned += value & 0xff;
			signed += i >= 148 && i < 156 ? ' ' : block[i];
		}
		String stored = field(block, 148, 8).trim();
		try {
			long sum = Long.parseLong(stored, 8);
			return sum == unsigned || sum == signed;
		}
		catch (NumberFormatException e) {
			return false;
		}
	}

	private static boolean isZero(byte[] block) {
		for (byte b : block) {
			if (b != 0) {
				return false;
			}
		}
		return true;
	}

	private static DockerApiException refused(String what) {
		return new DockerApiException(HttpStatus.BAD_REQUEST, "docker load archives with " + what
				+ " are not accepted through Berth");
	}

}
