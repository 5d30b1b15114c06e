package berth.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import berth.testing.BerthTest;
import berth.testing.DockerCli.Result;

/**
 * Big bodies and streams through Berth: docker cp both ways, and tens of megabytes through the
 * hijacked attach/exec connection in each direction, all checked by SHA-256.
 */
@BerthTest
class FileTransferIT extends CliTestSupport {

	private static final int BIG = 100 * 1024 * 1024;

	private static final int STREAM = 24 * 1024 * 1024;

	private Path big;

	private String bigSha;

	private String container;

	@BeforeAll
	void bigFileAndContainer() throws IOException {
		big = tempDir().resolve("big.bin");
		SplittableRandom random = new SplittableRandom();
		byte[] chunk = new byte[1 << 20];
		try (OutputStream out = Files.newOutputStream(big)) {
			for (int written = 0; written < BIG; written += chunk.length) {
				for (int i = 0; i < chunk.length; i += 8) {
					long value = random.nextLong();
					for (int b = 0; b < 8; b++) {
						chunk[i + b] = (byte) (value >>> (8 * b));
					}
				}
				out.write(chunk);
			}
		}
		bigSha = sha256(big);
		container = name("files");
		ok("run", "-d", "--init", "--name", container, "busybox", "sleep", "600");
	}

	@Test
	void cpOf100MegabytesBothWaysKeepsTheChecksum() throws IOException {
		ok("cp", big.toString(), container + ":/big.bin");
		assertThat(hashOf(ok("exec", container, "sha256sum", "/big.bin").out()))
			.as("sha256 inside the container of the 100 MB file copied in with docker cp")
			.isEqualTo(bigSha);

		Path back = tempDir().resolve("back.bin");
		ok("cp", container + ":/big.bin", back.toString());
		assertThat(Files.size(back)).as("size of the file copied back out").isEqualTo(BIG);
		assertThat(sha256(back)).as("sha256 of the file copied back out with docker cp").isEqualTo(bigSha);
	}

	@Test
	void megabytesThroughExecAndRunStdinAndStdout() throws IOException {
		byte[] part = new byte[STREAM];
		try (var in = Files.newInputStream(big)) {
			assertThat(in.readNBytes(part, 0, STREAM)).isEqualTo(STREAM);
		}
		String partSha = sha256(part);
		Path partFile = tempDir().resolve("part.bin");
		Files.write(partFile, part);

		// Redirected from a file by the shell, not written by the test: a stalled stdin then ends in
		// the command's time limit instead of blocking the test's write.
		Result execIn = shell("docker exec -i " + container + " sha256sum < " + partFile);
		assertSucceeded(execIn, "docker exec -i c sha256sum < 24 MB");
		assertThat(hashOf(execIn.out())).as("sha256 of 24 MB sent through docker exec -i").isEqualTo(partSha);

		Result runIn = shell("docker run -i --rm busybox sha256sum < " + partFile);
		assertSucceeded(runIn, "docker run -i --rm busybox sha256sum < 24 MB");
		assertThat(hashOf(runIn.out())).as("sha256 of 24 MB sent through docker run -i").isEqualTo(partSha);

		ok("cp", big.toString(), container + ":/out.bin");
		Result execOut = shell("docker exec " + container + " head -c " + STREAM + " /out.bin | sha256sum");
		assertSucceeded(execOut, "docker exec c head -c 24M | sha256sum");
		assertThat(hashOf(execOut.out())).as("sha256 of 24 MB received from docker exec").isEqualTo(partSha);

		Result runOut = shell("docker run --rm busybox head -c " + STREAM + " /dev/zero | sha256sum");
		assertSucceeded(runOut, "docker run --rm busybox head -c 24M /dev/zero | sha256sum");
		assertThat(hashOf(runOut.out())).as("sha256 of 24 MB of zeros received from docker run")
			.isEqualTo(sha256(new byte[STREAM]));
	}

	/**
	 * The CLI half-closes an exec without stdin at once; a client that then reads more slowly than
	 * the engine writes made Berth wait for room in the socket buffer towards it, which is where
	 * Netty's epoll bug (see EpollRegistration) cut the stream short, nearly every time. Here the
	 * reader starts a second late, three streams at a time, twice.
	 */
	@Test
	void execStdoutReachesALateReaderWhole() throws Exception {
		String command = "docker exec " + container + " head -c " + STREAM + " /dev/zero | (sleep 1; wc -c)";
		ExecutorService clients = Executors.newFixedThreadPool(3);
		try {
			for (int round = 1; round <= 2; round++) {
				List<Future<Result>> streams = new ArrayList<>();
				for (int i = 0; i < 3; i++) {
					streams.add(clients.submit(() -> shell(command)));
				}
				for (Future<Result> stream : streams) {
					Result result = stream.get(COMMAND_TIMEOUT.toSeconds() + 10, TimeUnit.SECONDS);
					assertSucceeded(result, command);
					assertThat(result.trimmed()).as("bytes received by a late reader of docker exec, round %d", round)
						.isEqualTo(String.valueOf(STREAM));
				}
			}
		}
		finally {
			clients.shutdownNow();
		}
	}

}
