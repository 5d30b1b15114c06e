package berth.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.FileSystemResource;

/**
 * Berth's settings as the documentation lists them, and as Berth would read them from an environment
 * that an installation (the chart, the compose file) gives it.
 */
final class BerthSettings {

	/**
	 * Settings whose names are fixed before their features land (TLS and the PKI, Proxmox, stale keys),
	 * so that the chart and the compose file carry them from the start.
	 */
	static final List<String> AGREED = List.of("berth.tls.port", "berth.tls.certificate", "berth.tls.private-key",
			"berth.tls.server-names", "berth.pki.ca-certificate", "berth.pki.ca-key", "berth.backend.proxmox.url",
			"berth.backend.proxmox.token", "berth.backend.proxmox.ca-certificate", "berth.backend.proxmox.templates",
			"berth.backend.proxmox.vmid-range", "berth.backend.proxmox.address-pool",
			"berth.backend.proxmox.engine-tls.ca-certificate", "berth.backend.proxmox.engine-tls.certificate",
			"berth.backend.proxmox.engine-tls.private-key", "berth.backend.proxmox.wake-timeout",
			"berth.backend.proxmox.idle-stop", "berth.auth.max-stale");

	private BerthSettings() {
	}

	/** The documented settings and the agreed ones. */
	static Set<String> expected() throws IOException {
		Set<String> expected = new LinkedHashSet<>(documented().properties());
		expected.addAll(AGREED);
		return expected;
	}


	/**
	 * Binds settings as Berth would see them in the pod: the container's environment (as the operating
	 * system's environment, so Spring's relaxed names apply) over Berth's own application.yml (whose
	 * placeholders read some variables by name).
	 */
	static Binder binderOver(Map<String, String> environment) throws IOException {
		StandardEnvironment spring = new StandardEnvironment();
		spring.getPropertySources().remove(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
		spring.getPropertySources().remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
		spring.getPropertySources().addFirst(new SystemEnvironmentPropertySource(
				StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, new HashMap<String, Object>(environment)));
		new YamlPropertySourceLoader().load("application.yml", new FileSystemResource("src/main/resources/application.yml"))
			.forEach(spring.getPropertySources()::addLast);
		ConfigurationPropertySources.attach(spring);
		return Binder.get(spring);
	}

	record Documented(Set<String> properties, Set<String> envNames) {
	}

	static final Pattern CODE = Pattern.compile("`([^`]+)`");

	/**
	 * The settings listed in the first column of the settings tables (a header naming a setting or
	 * property) of the README and docs/*.md. A name starting with a dot or an underscore continues the one
	 * before it ({@code `berth.routes.apex.router` / `.url`}, {@code `SPRING_DATASOURCE_URL`, `_USERNAME`}).
	 */
	static Documented documented() throws IOException {
		Set<String> properties = new LinkedHashSet<>();
		Set<String> envNames = new LinkedHashSet<>();
		List<Path> files = new ArrayList<>(List.of(Path.of("README.md")));
		try (Stream<Path> docs = Files.list(Path.of("docs"))) {
			docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
		}
		for (Path file : files) {
			boolean inSettings = false;
			for (String line : Files.readAllLines(file)) {
				if (!line.startsWith("|")) {
					inSettings = false;
					continue;
				}
				String first = line.split("\\|", -1)[1].toLowerCase();
				if (!inSettings && !line.contains("`") && (first.contains("setting") || first.contains("property"))) {
					inSettings = true;
					continue;
				}
				if (!inSettings) {
					continue;
				}
				String previous = "";
				Matcher code = CODE.matcher(line.split("\\|", -1)[1]);
				while (code.find()) {
					String name = code.group(1);
					if (name.startsWith(".") && previous.contains(".")) {
						name = previous.substring(0, previous.lastIndexOf('.')) + name;
					}
					else if (name.startsWith("_") && previous.contains("_")) {
						name = previous.substring(0, previous.lastIndexOf('_')) + name;
					}
					if (name.matches("[a-z][a-z0-9-]*(\\.[a-z0-9-]+)+")) {
						properties.add(name);
					}
					else if (name.matches("[A-Z][A-Z0-9_]+")) {
						envNames.add(name);
					}
					previous = name;
				}
			}
		}
		return new Documented(properties, envNames);
	}

}
