package berth.account;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import berth.tls.CertificateAuthority.Issued;

/**
 * The files a tenant takes home with a client certificate, in the forms Docker users know: a
 * Mirantis-style bundle (PEMs, {@code env.sh}, {@code env.ps1}, a README), and a context that
 * {@code docker context import} takes as it is (the CLI refuses any entry but {@code meta.json}
 * and {@code tls/<endpoint>/...}).
 */
final class CertificateBundles {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private CertificateBundles() {
	}

	/** What a bundle names: the certificate, whose it is, and where it gets in. */
	record Contents(String tenant, String certificateId, String description, String dockerHost, Issued issued) {
	}

	static byte[] dockerContext(Contents contents) {
		Map<String, Object> docker = new LinkedHashMap<>();
		docker.put("Host", contents.dockerHost());
		docker.put("SkipTLSVerify", false);
		Map<String, Object> meta = new LinkedHashMap<>();
		meta.put("Name", contents.tenant());
		meta.put("Metadata", Map.of("Description", description(contents)));
		meta.put("Endpoints", Map.of("docker", docker));
		Map<String, String> entries = new LinkedHashMap<>();
		entries.put("meta.json", JSON.writeValueAsString(meta));
		entries.put("tls/docker/ca.pem", contents.issued().caPem());
		entries.put("tls/docker/cert.pem", contents.issued().certificatePem());
		putKey(entries, "tls/docker/key.pem", contents.issued().privateKeyPem());
		return zip(entries);
	}

	static byte[] zip(Contents contents) {
		Map<String, String> entries = new LinkedHashMap<>();
		entries.put("ca.pem", contents.issued().caPem());
		entries.put("cert.pem", contents.issued().certificatePem());
		putKey(entries, "key.pem", contents.issued().privateKeyPem());
		entries.put("env.sh", envSh(contents));
		entries.put("env.ps1", envPs1(contents));
		entries.put("README.txt", readme(contents));
		return zip(entries);
	}

	private static void putKey(Map<String, String> entries, String name, @Nullable String key) {
		if (key != null) {
			entries.put(name, key);
		}
	}

	private static String description(Contents contents) {
		return "Berth tenant " + contents.tenant()
				+ (contents.description().isEmpty() ? "" : " (" + contents.description() + ")");
	}

	private static String envSh(Contents contents) {
		return """
				# %s: certificate %s, serial %s, valid until %s.
				# Use from this directory: . ./env.sh
				export DOCKER_HOST=%s
				export DOCKER_TLS_VERIFY=1
				export DOCKER_CERT_PATH="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")" && pwd)"
				unset DOCKER_CONTEXT
				""".formatted(description(contents), contents.certificateId(), contents.issued().serial(),
				contents.issued().notAfter(), contents.dockerHost());
	}

	private static String envPs1(Contents contents) {
		return """
				# %s: certificate %s, serial %s, valid until %s.
				# Use from this directory: . .\\env.ps1
				$env:DOCKER_HOST="%s"
				$env:DOCKER_TLS_VERIFY="1"
				$env:DOCKER_CERT_PATH=$PSScriptRoot
				Remove-Item Env:DOCKER_CONTEXT -ErrorAction SilentlyContinue
				""".formatted(description(contents), contents.certificateId(), contents.issued().serial(),
				contents.issued().notAfter(), contents.dockerHost());
	}

	private static String readme(Contents contents) {
		String key = contents.issued().privateKeyPem() == null
				? "key.pem is not included: put the private key of your certificate signing request beside cert.pem as key.pem.\n\n"
				: "key.pem is your private key: keep it to yourself. Berth has no copy of it.\n\n";
		return """
				%s
				Docker API: %s (TLS, client certificate %s, valid until %s)

				%sThe docker CLI, docker-compose and docker-py read these files through the environment:

				    cd <this directory>
				    . ./env.sh                 (PowerShell: . .\\env.ps1)
				    docker ps

				which sets DOCKER_HOST=%s, DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH=<this directory>.
				Or keep them in a docker context instead (the admin API gives one ready to import with
				?format=docker-context):

				    docker context create %s --docker "host=%s,ca=$PWD/ca.pem,cert=$PWD/cert.pem,key=$PWD/key.pem"
				    docker --context %s ps

				DOCKER_HOST wins over `docker context use`: unset DOCKER_HOST DOCKER_TLS_VERIFY DOCKER_CERT_PATH
				before using the context.
				""".formatted(description(contents), contents.dockerHost(), contents.issued().serial(),
				contents.issued().notAfter(), key, contents.dockerHost(), contents.tenant(), contents.dockerHost(),
				contents.tenant());
	}

	private static byte[] zip(Map<String, String> entries) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
			for (Map.Entry<String, String> entry : entries.entrySet()) {
				zip.putNextEntry(new ZipEntry(entry.getKey()));
				zip.write(entry.getValue().getBytes(StandardCharsets.UTF_8));
				zip.closeEntry();
			}
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		return bytes.toByteArray();
	}

}
