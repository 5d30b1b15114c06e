package berth.isolation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import berth.web.DockerApiException;

class ArchiveRewriterTest {

	@TempDir
	Path dir;

	/** A minimal ustar writer: one entry. */
	static byte[] entry(String name, char type, byte[] content) {
		byte[] header = new byte[512];
		byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
		System.arraycopy(nameBytes, 0, header, 0, nameBytes.length);
		put(header, 100, "0000644\0");
		put(header, 108, "0000000\0");
		put(header, 116, "0000000\0");
		put(header, 124, String.format("%011o\0", content.length));
		put(header, 136, "00000000000\0");
		header[156] = (byte) type;
		put(header, 257, "ustar\0" + "00");
		put(header, 148, "        ");
		long sum = 0;
		for (byte b : header) {
			sum += b & 0xff;
		}
		put(header, 148, String.format("%06o\0 ", sum));
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.writeBytes(header);
		out.writeBytes(content);
		out.writeBytes(new byte[(512 - content.length % 512) % 512]);
		return out.toByteArray();
	}

	private static void put(byte[] header, int offset, String text) {
		byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
		System.arraycopy(bytes, 0, header, offset, bytes.length);
	}

	static byte[] archive(byte[]... entries) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		for (byte[] entry : entries) {
			out.writeBytes(entry);
		}
		out.writeBytes(new byte[1024]);
		return out.toByteArray();
	}

	/** Feeds the archive in random chunks, as the network would, and joins what comes out. */
	static byte[] renamed(byte[] archive, long seed) {
		ArchiveRewriter load = ArchiveRewriter.load(name -> Images.loadedName("acme", name));
		Random random = new Random(seed);
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		int at = 0;
		while (at < archive.length) {
			int n = Math.min(archive.length - at, 1 + random.nextInt(700));
			ByteBuf in = Unpooled.copiedBuffer(archive, at, n);
			for (ByteBuf piece : load.feed(in).collectList().block()) {
				byte[] bytes = new byte[piece.readableBytes()];
				piece.readBytes(bytes);
				piece.release();
				out.writeBytes(bytes);
			}
			at += n;
		}
		return out.toByteArray();
	}

	private String tar(Path archive, String... args) throws Exception {
		java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("tar", "-xOf", archive.toString()));
		command.addAll(java.util.List.of(args));
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor()).as("tar %s: %s", String.join(" ", args), out).isZero();
		return out;
	}

	@Test
	void namesInManifestAndRepositoriesMoveToTheTenantsNamespaceAndLayersPassUnchanged() throws Exception {
		byte[] layer = new byte[5000];
		new Random(1).nextBytes(layer);
		byte[] original = archive(entry("abc/layer.tar", '0', layer),
				entry("manifest.json", '0', "[{\"Config\":\"c.json\",\"RepoTags\":[\"busybox:latest\",\"127.0.0.1:5000/x/y:2\"],\"Layers\":[\"abc/layer.tar\"]}]"
					.getBytes(StandardCharsets.UTF_8)),
				entry("./repositories", '0', "{\"busybox\":{\"latest\":\"abc\"}}".getBytes(StandardCharsets.UTF_8)));
		for (long seed = 0; seed < 5; seed++) {
			Path out = dir.resolve("out" + seed + ".tar");
			Files.write(out, renamed(original, seed));
			assertThat(tar(out, "manifest.json")).contains("\"berth.local/acme/d/busybox:latest\"",
					"\"berth.local/acme/r/127.0.0.1__5000/x/y:2\"").doesNotContain("\"busybox:latest\"");
			assertThat(tar(out, "./repositories")).isEqualTo("{\"berth.local/acme/d/busybox\":{\"latest\":\"abc\"}}");
			byte[] extracted = new ProcessBuilder("tar", "-xOf", out.toString(), "abc/layer.tar").start()
				.getInputStream()
				.readAllBytes();
			assertThat(extracted).isEqualTo(layer);
		}
	}

	@Test
	void anotherTenantsEngineSideNameIsTakenAsTheLoadersOwn() {
		assertThat(Images.loadedName("acme", "berth.local/other/d/app:1")).isEqualTo("berth.local/acme/d/app:1");
		assertThat(Images.loadedName("acme", "berth.local/acme/d/app:1")).isEqualTo("berth.local/acme/d/app:1");
		assertThat(Images.loadedName("acme", "docker.io/library/busybox:latest"))
			.isEqualTo("berth.local/acme/d/busybox:latest");
	}

	@Test
	void refusesWhatTheEnginesReaderWouldReadDifferently() {
		byte[] link = archive(entry("manifest.json", '2', new byte[0]));
		assertThatThrownBy(() -> renamed(link, 0)).isInstanceOf(DockerApiException.class);
		byte[] paxSize = archive(entry("PaxHeaders/x", 'x', "11 size=0\n".getBytes(StandardCharsets.UTF_8)),
				entry("layer", '0', new byte[10]));
		assertThatThrownBy(() -> renamed(paxSize, 0)).isInstanceOf(DockerApiException.class);
		byte[] hidden = archive(entry("PaxHeaders/x", 'x', "22 path=manifest.json\n".getBytes(StandardCharsets.UTF_8)),
				entry("innocent", '0', "[{\"RepoTags\":[\"busybox:latest\"]}]".getBytes(StandardCharsets.UTF_8)));
		assertThat(new String(renamed(hidden, 0), StandardCharsets.ISO_8859_1))
			.as("a manifest named by a PAX path is renamed too")
			.contains("berth.local/acme/d/busybox:latest");
		byte[] dotted = archive(entry("x/../manifest.json", '0',
				"[{\"RepoTags\":[\"busybox:latest\"]}]".getBytes(StandardCharsets.UTF_8)));
		assertThat(new String(renamed(dotted, 0), StandardCharsets.ISO_8859_1))
			.contains("berth.local/acme/d/busybox:latest");
		byte[] gzipped = archive(entry("manifest.json", '0', new byte[10]));
		gzipped[0] = 0x1f;
		gzipped[1] = (byte) 0x8b;
		assertThatThrownBy(() -> renamed(gzipped, 0)).as("a compressed archive").isInstanceOf(DockerApiException.class);
		byte[] damaged = archive(entry("layer", '0', new byte[10]));
		damaged[130] = '7';
		assertThatThrownBy(() -> renamed(damaged, 0)).as("a bad checksum").isInstanceOf(DockerApiException.class);
		byte[] reserved = archive(entry("manifest.json", '0',
				"[{\"RepoTags\":[\"berth.local:5000/x:1\"]}]".getBytes(StandardCharsets.UTF_8)));
		assertThatThrownBy(() -> renamed(reserved, 0)).isInstanceOf(DockerApiException.class);
	}

	@Test
	void aGzipBuildContextIsInflatedAndItsDockerfileRewritten() throws Exception {
		byte[] context = archive(entry("app.txt", '0', "hello".getBytes(StandardCharsets.UTF_8)),
				entry("Dockerfile", '0', "FROM alpine\nCOPY app.txt /\n".getBytes(StandardCharsets.UTF_8)));
		ByteArrayOutputStream zipped = new ByteArrayOutputStream();
		try (java.util.zip.GZIPOutputStream gzip = new java.util.zip.GZIPOutputStream(zipped)) {
			gzip.write(context);
		}
		for (long seed = 0; seed < 5; seed++) {
			ArchiveRewriter build = ArchiveRewriter.build("Dockerfile",
					content -> reactor.core.publisher.Mono.just(new String(content, StandardCharsets.UTF_8)
						.replace("FROM alpine", "FROM berth.local/acme/d/alpine:latest")
						.getBytes(StandardCharsets.UTF_8)));
			Path out = dir.resolve("context" + seed + ".tar");
			Files.write(out, fed(build, zipped.toByteArray(), seed));
			assertThat(tar(out, "Dockerfile")).as("sent on as a plain tar, rewritten")
				.isEqualTo("FROM berth.local/acme/d/alpine:latest\nCOPY app.txt /\n");
			assertThat(tar(out, "app.txt")).isEqualTo("hello");
		}
	}

	@Test
	void aTinyFirstChunkIsHeldUntilTheStreamCanBeToldApart() {
		byte[] context = archive(entry("Dockerfile", '0', "FROM busybox\n".getBytes(StandardCharsets.UTF_8)));
		ArchiveRewriter build = ArchiveRewriter.build("Dockerfile", reactor.core.publisher.Mono::just);
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		for (int at = 0; at < context.length; at++) {
			for (ByteBuf piece : build.feed(Unpooled.copiedBuffer(context, at, 1)).collectList().block()) {
				byte[] bytes = new byte[piece.readableBytes()];
				piece.readBytes(bytes);
				piece.release();
				out.writeBytes(bytes);
			}
		}
		assertThat(out.toByteArray()).isEqualTo(context);
	}

	@Test
	void otherCompressionsAndDamagedGzipAreRefused() {
		byte[] bzip2 = archive(entry("Dockerfile", '0', new byte[10]));
		bzip2[0] = 'B';
		bzip2[1] = 'Z';
		bzip2[2] = 'h';
		assertThatThrownBy(() -> renamed(bzip2, 0)).isInstanceOf(DockerApiException.class)
			.hasMessageContaining("compression");
		byte[] damaged = { 0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
		assertThatThrownBy(() -> renamed(damaged, 0)).isInstanceOf(DockerApiException.class);
	}

	private static byte[] fed(ArchiveRewriter rewriter, byte[] archive, long seed) {
		Random random = new Random(seed);
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		int at = 0;
		while (at < archive.length) {
			int n = Math.min(archive.length - at, 1 + random.nextInt(700));
			for (ByteBuf piece : rewriter.feed(Unpooled.copiedBuffer(archive, at, n)).collectList().block()) {
				byte[] bytes = new byte[piece.readableBytes()];
				piece.readBytes(bytes);
				piece.release();
				out.writeBytes(bytes);
			}
			at += n;
		}
		return out.toByteArray();
	}

}
