package berth.isolation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Host binds made into the tenant's storage: the create body the engine gets, the volume a path
 * names, and the answers that show the tenant its own paths again.
 */
class HostStorageTest {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static ObjectNode rewritten(String body) {
		ObjectNode tree = (ObjectNode) JSON.readTree(body);
		HostStorage.rewrite(tree);
		return tree;
	}

	@Test
	void aPathNamesOneVolumeFromItsLastTwoPartsAndItsHash() {
		String data = HostStorage.volumeName("/tmp/seedapp/data");
		assertThat(data).matches("seedapp-data-[0-9a-f]{12}");
		assertThat(HostStorage.volumeName("/tmp/seedapp/data/")).as("cleaned as the engine cleans it").isEqualTo(data);
		assertThat(HostStorage.volumeName("/tmp//seedapp/./x/../data")).isEqualTo(data);
		assertThat(HostStorage.volumeName("/srv/seedapp/data")).as("another path, another volume")
			.startsWith("seedapp-data-")
			.isNotEqualTo(data);
		assertThat(HostStorage.volumeName("/data")).matches("data-[0-9a-f]{12}");
		assertThat(HostStorage.volumeName("/home/me/My Project (2)/.config")).matches("My-Project-2-+\\.config-[0-9a-f]{12}");
		assertThat(HostStorage.volumeName("/x/_/-")).as("no leading character a volume name may not start with")
			.matches("bind-[0-9a-f]{12}");
		assertThat(HostStorage.volumeName("/a/" + "long".repeat(40))).matches("[a-z]{48}-[0-9a-f]{12}");
		for (String path : new String[] { "/tmp/seedapp/data", "/é/ü", "/x/_/-", "/a b/c:d" }) {
			assertThat(Names.OBJECT_NAME.matcher(HostStorage.volumeName(path)).matches()).as(path).isTrue();
		}
	}

	@Test
	void bindsBecomeVolumesWithTheirContainerPathAndOptions() {
		ObjectNode body = rewritten("""
				{"Image":"busybox","HostConfig":{"Binds":["/tmp/seedapp/config:/etc/gitlab",
				  "/tmp/seedapp/data:/var/opt/gitlab:ro,rslave","cache:/cache:rw","/tmp/seedapp/logs:/logs:rshared"]}}""");
		String config = HostStorage.volumeName("/tmp/seedapp/config");
		String data = HostStorage.volumeName("/tmp/seedapp/data");
		assertThat(body.at("/HostConfig/Binds")).extracting(JsonNode::asString)
			.containsExactly(config + ":/etc/gitlab", data + ":/var/opt/gitlab:ro", "cache:/cache:rw",
					HostStorage.volumeName("/tmp/seedapp/logs") + ":/logs");
		ObjectNode asked = HostStorage.asked(body.get("Labels"));
		assertThat(asked).isNotNull();
		assertThat(asked.get("Binds")).extracting(JsonNode::asString)
			.containsExactly("/tmp/seedapp/config:/etc/gitlab", "/tmp/seedapp/data:/var/opt/gitlab:ro,rslave",
					"cache:/cache:rw", "/tmp/seedapp/logs:/logs:rshared");
		assertThat(HostStorage.sources(asked)).containsEntry(data, "/tmp/seedapp/data").hasSize(3);
	}

	@Test
	void bindMountsBecomeVolumeMounts() {
		ObjectNode body = rewritten("""
				{"Image":"busybox","Labels":{"app":"x"},"HostConfig":{"Mounts":[
				  {"Type":"bind","Source":"/srv/app/config","Target":"/etc/app","ReadOnly":true,"BindOptions":{"Propagation":"rshared"}},
				  {"Type":"volume","Source":"cache","Target":"/cache"},{"Type":"tmpfs","Target":"/tmp"}]}}""");
		JsonNode mount = body.at("/HostConfig/Mounts/0");
		assertThat(mount.get("Type").asString()).isEqualTo("volume");
		assertThat(mount.get("Source").asString()).isEqualTo(HostStorage.volumeName("/srv/app/config"));
		assertThat(mount.get("Target").asString()).isEqualTo("/etc/app");
		assertThat(mount.get("ReadOnly").asBoolean()).isTrue();
		assertThat(mount.has("BindOptions")).as("propagation means nothing for a volume").isFalse();
		assertThat(body.at("/HostConfig/Mounts/1/Source").asString()).isEqualTo("cache");
		assertThat(body.at("/Labels/app").asString()).isEqualTo("x");
		assertThat(HostStorage.asked(body.get("Labels")).at("/Mounts/0/Source").asString()).isEqualTo("/srv/app/config");
		assertThat(HostStorage.asked(body.get("Labels")).has("Binds")).isFalse();
	}

	/**
	 * The policy refuses these; in audit mode it lets them through, and they still never reach the host:
	 * every absolute source becomes a volume.
	 */
	@Test
	void evenPathsThePolicyRefusesNeverMountTheHost() {
		ObjectNode body = rewritten("""
				{"Image":"busybox","HostConfig":{"Binds":["/:/host","/var/run/docker.sock:/var/run/docker.sock"],
				  "Mounts":[{"Type":"bind","Source":"/etc","Target":"/h"}]}}""");
		assertThat(body.at("/HostConfig/Binds/0").asString()).matches("bind-[0-9a-f]{12}:/host");
		assertThat(body.at("/HostConfig/Binds/1").asString()).matches("run-docker.sock-[0-9a-f]{12}:/var/run/docker.sock");
		assertThat(body.at("/HostConfig/Mounts/0/Type").asString()).isEqualTo("volume");
		assertThat(body.at("/HostConfig/Mounts/0/Source").asString()).matches("etc-[0-9a-f]{12}");
	}

	@Test
	void theLabelIsSetEvenWithoutBindsSoThatAnImagesLabelIsNotTaken() {
		ObjectNode plain = rewritten("""
				{"Image":"busybox","HostConfig":{"Binds":["data:/data"]}}""");
		assertThat(plain.at("/Labels/berth.binds").asString()).isEmpty();
		assertThat(plain.at("/HostConfig/Binds/0").asString()).isEqualTo("data:/data");
		assertThat(HostStorage.asked(plain.get("Labels"))).isNull();
		assertThat(rewritten("{\"Image\":\"busybox\"}").at("/Labels/berth.binds").isString()).isTrue();
	}

	private static final String ENGINE_CONFIG = HostStorage.volumeName("/tmp/seedapp/config");

	private static final String ENGINE_DATA = HostStorage.volumeName("/tmp/seedapp/data");

	private static final String ASKED = JSON.writeValueAsString(JSON.createObjectNode()
		.set("Binds", JSON.createArrayNode().add("/tmp/seedapp/config:/etc/gitlab").add("/tmp/seedapp/data:/var/opt/gitlab:ro").add("cache:/c")));

	@Test
	void inspectShowsTheBindsTheTenantAskedFor() {
		String answer = """
				{"Id":"c1","Name":"/acme_gitlab","Config":{"Labels":{"berth.tenant":"acme","berth.binds":%s,"app":"x"}},
				 "HostConfig":{"Binds":["acme_%s:/etc/gitlab","acme_%s:/var/opt/gitlab:ro","acme_cache:/c"]},
				 "Mounts":[{"Type":"volume","Name":"acme_%s","Source":"/var/lib/docker/volumes/acme_%s/_data",
				            "Destination":"/etc/gitlab","Driver":"local","Mode":"","RW":true,"Propagation":""},
				           {"Type":"volume","Name":"acme_%s","Source":"/var/lib/docker/volumes/acme_%s/_data",
				            "Destination":"/var/opt/gitlab","Driver":"local","Mode":"ro","RW":false,"Propagation":""},
				           {"Type":"volume","Name":"acme_cache","Source":"/var/lib/docker/volumes/acme_cache/_data",
				            "Destination":"/c","Driver":"local","Mode":"","RW":true,"Propagation":""}]}"""
			.formatted(JSON.writeValueAsString(ASKED), ENGINE_CONFIG, ENGINE_DATA, ENGINE_CONFIG, ENGINE_CONFIG,
					ENGINE_DATA, ENGINE_DATA);
		JsonNode inspect = JSON.readTree(TenantView.of("acme", "GET", "/v1.41/containers/gitlab/json", null)
			.json(answer.getBytes(StandardCharsets.UTF_8)));
		assertThat(inspect.at("/HostConfig/Binds")).extracting(JsonNode::asString)
			.containsExactly("/tmp/seedapp/config:/etc/gitlab", "/tmp/seedapp/data:/var/opt/gitlab:ro", "cache:/c");
		assertThat(inspect.at("/Mounts/1/Type").asString()).isEqualTo("bind");
		assertThat(inspect.at("/Mounts/1/Source").asString()).isEqualTo("/tmp/seedapp/data");
		assertThat(inspect.at("/Mounts/1/Destination").asString()).isEqualTo("/var/opt/gitlab");
		assertThat(inspect.at("/Mounts/1/RW").asBoolean(true)).isFalse();
		assertThat(inspect.at("/Mounts/1").has("Name")).isFalse();
		assertThat(inspect.at("/Mounts/2/Type").asString()).as("a volume the tenant named stays one").isEqualTo("volume");
		assertThat(inspect.at("/Mounts/2/Name").asString()).isEqualTo("cache");
		assertThat(inspect.at("/Config/Labels").propertyNames()).containsExactly("app");
		assertThat(inspect.toString()).doesNotContain("/var/lib/docker/volumes/acme_" + ENGINE_DATA);
	}

	@Test
	void inspectShowsTheBindMountsTheTenantAskedFor() {
		String asked = "{\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/srv/app/config\",\"Target\":\"/etc/app\",\"ReadOnly\":true}]}";
		String volume = HostStorage.volumeName("/srv/app/config");
		String answer = """
				{"Id":"c1","Name":"/acme_app","Config":{"Labels":{"berth.binds":%s}},
				 "HostConfig":{"Mounts":[{"Type":"volume","Source":"acme_%s","Target":"/etc/app","ReadOnly":true}]},
				 "Mounts":[{"Type":"volume","Name":"acme_%s","Source":"/var/lib/docker/volumes/acme_%s/_data","Destination":"/etc/app"}]}"""
			.formatted(JSON.writeValueAsString(asked), volume, volume, volume);
		JsonNode inspect = JSON.readTree(TenantView.of("acme", "GET", "/v1.41/containers/app/json", null)
			.json(answer.getBytes(StandardCharsets.UTF_8)));
		assertThat(inspect.at("/HostConfig/Mounts/0/Type").asString()).isEqualTo("bind");
		assertThat(inspect.at("/HostConfig/Mounts/0/Source").asString()).isEqualTo("/srv/app/config");
		assertThat(inspect.at("/Mounts/0/Type").asString()).isEqualTo("bind");
		assertThat(inspect.at("/Mounts/0/Source").asString()).isEqualTo("/srv/app/config");
	}

	@Test
	void theListShowsBindsWhereTheEngineHasVolumes() {
		String answer = """
				[{"Id":"c1","Names":["/acme_gitlab"],"Labels":{"berth.tenant":"acme","berth.binds":%s},
				  "Mounts":[{"Type":"volume","Name":"acme_%s","Source":"","Destination":"/var/opt/gitlab","Driver":"local","RW":false},
				            {"Type":"volume","Name":"acme_other","Source":"","Destination":"/o","Driver":"local","RW":true}]},
				 {"Id":"c2","Names":["/acme_plain"],"Labels":{"berth.tenant":"acme","berth.binds":""},
				  "Mounts":[{"Type":"volume","Name":"acme_%s","Source":"","Destination":"/d","Driver":"local","RW":true}]}]"""
			.formatted(JSON.writeValueAsString(ASKED), ENGINE_DATA, ENGINE_DATA);
		JsonNode list = JSON.readTree(TenantView.of("acme", "GET", "/v1.41/containers/json", "all=1")
			.json(answer.getBytes(StandardCharsets.UTF_8)));
		assertThat(list.at("/0/Mounts/0/Type").asString()).isEqualTo("bind");
		assertThat(list.at("/0/Mounts/0/Source").asString()).isEqualTo("/tmp/seedapp/data");
		assertThat(list.at("/0/Mounts/1/Name").asString()).isEqualTo("other");
		assertThat(list.at("/1/Mounts/0/Type").asString()).as("a container that named the volume itself")
			.isEqualTo("volume");
		assertThat(list.at("/1/Mounts/0/Name").asString()).isEqualTo(ENGINE_DATA);
		assertThat(list.at("/0/Labels").propertyNames()).isEmpty();
	}

}
