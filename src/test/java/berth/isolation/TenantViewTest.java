package berth.isolation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The engine's answers as tenant {@code acme} sees them: its engine-side names ({@code acme_web})
 * shown as its own ({@code web}), never anyone else's touched, name filters applied to the names it
 * sees. Bodies are shaped like the engine's (API 1.41).
 */
class TenantViewTest {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static TenantView view(String method, String target) {
		int query = target.indexOf('?');
		return TenantView.of("acme", method, query < 0 ? target : target.substring(0, query),
				query < 0 ? null : target.substring(query + 1));
	}

	private static JsonNode json(TenantView view, String body) {
		return JSON.readTree(view.json(body.getBytes(StandardCharsets.UTF_8)));
	}

	private static final String LIST = """
			[{"Id":"c1","Names":["/acme_web"],"Image":"busybox","Labels":{"berth.tenant":"acme"},
			  "HostConfig":{"NetworkMode":"acme_bridge"},
			  "NetworkSettings":{"Networks":{"acme_bridge":{"IPAddress":"172.23.0.2"},"acme_back":{"IPAddress":"172.24.0.2"}}},
			  "Mounts":[{"Type":"volume","Name":"acme_data","Source":"/var/lib/docker/volumes/acme_data/_data","Destination":"/data"},
			            {"Type":"volume","Name":"0123abcd","Source":"/var/lib/docker/volumes/0123abcd/_data","Destination":"/anon"}]},
			 {"Id":"c2","Names":["/acme_db","/acme_web/db"],"HostConfig":{"NetworkMode":"none"},
			  "NetworkSettings":{"Networks":{"none":{}}},"Mounts":[]},
			 {"Id":"c3","Names":["/acme_webhook"],"HostConfig":{"NetworkMode":"acme_bridge"},"Mounts":[]}]""";

	@Test
	void containerListShowsTheTenantsNames() {
		JsonNode list = json(view("GET", "/v1.41/containers/json?all=1"), LIST);
		assertThat(list).hasSize(3);
		JsonNode web = list.get(0);
		assertThat(web.get("Names").get(0).asString()).isEqualTo("/web");
		assertThat(web.at("/HostConfig/NetworkMode").asString()).isEqualTo("bridge");
		assertThat(web.at("/NetworkSettings/Networks").propertyNames()).containsExactly("bridge", "back");
		assertThat(web.at("/NetworkSettings/Networks/bridge/IPAddress").asString()).isEqualTo("172.23.0.2");
		assertThat(web.at("/Mounts/0/Name").asString()).isEqualTo("data");
		assertThat(web.at("/Mounts/0/Source").asString()).as("a host path stays")
			.isEqualTo("/var/lib/docker/volumes/acme_data/_data");
		assertThat(web.at("/Mounts/1/Name").asString()).as("an anonymous volume has no prefix").isEqualTo("0123abcd");
		assertThat(list.get(1).get("Names").get(1).asString()).as("a link's name").isEqualTo("/web/db");
		assertThat(list.get(1).at("/HostConfig/NetworkMode").asString()).isEqualTo("none");
		assertThat(web.get("Labels").propertyNames()).as("Berth's own marks are not shown").isEmpty();
	}

	@Test
	void berthsLabelsAreNeverShownButTheTenantsAre() {
		String labels = "{\"berth.tenant\":\"acme\",\"berth.tenant.id\":\"u1\",\"berth.network\":\"default\","
				+ "\"berth.image\":\"alpine\",\"berth.http\":\"web:80\",\"app\":\"x\"}";
		JsonNode list = json(view("GET", "/containers/json"), "[{\"Names\":[\"/acme_web\"],\"Labels\":" + labels + "}]");
		assertThat(list.at("/0/Labels").propertyNames()).containsExactlyInAnyOrder("berth.http", "app");
		JsonNode inspect = json(view("GET", "/containers/web/json"),
				"{\"Name\":\"/acme_web\",\"Config\":{\"Labels\":" + labels + "}}");
		assertThat(inspect.at("/Config/Labels").propertyNames()).containsExactlyInAnyOrder("berth.http", "app");
		JsonNode networks = json(view("GET", "/networks"), "[{\"Name\":\"acme_bridge\",\"Labels\":" + labels + "}]");
		assertThat(networks.at("/0/Labels").propertyNames()).containsExactlyInAnyOrder("berth.http", "app");
		JsonNode network = json(view("GET", "/networks/n1"), "{\"Name\":\"acme_n1\",\"Labels\":" + labels + "}");
		assertThat(network.get("Labels").propertyNames()).containsExactlyInAnyOrder("berth.http", "app");
		JsonNode volumes = json(view("GET", "/volumes"), "{\"Volumes\":[{\"Name\":\"acme_v\",\"Labels\":" + labels + "}]}");
		assertThat(volumes.at("/Volumes/0/Labels").propertyNames()).containsExactlyInAnyOrder("berth.http", "app");
		for (String target : new String[] { "/volumes/v", "/volumes/create" }) {
			JsonNode volume = json(view(target.endsWith("create") ? "POST" : "GET", target),
					"{\"Name\":\"acme_v\",\"Labels\":" + labels + "}");
			assertThat(volume.get("Labels").propertyNames()).as(target).containsExactlyInAnyOrder("berth.http", "app");
		}
		JsonNode usage = json(view("GET", "/system/df"), "{\"Containers\":[{\"Names\":[\"/acme_web\"],\"Labels\":"
				+ labels + "}],\"Volumes\":[{\"Name\":\"acme_v\",\"Labels\":" + labels + "}]}");
		assertThat(usage.at("/Containers/0/Labels").propertyNames()).containsExactlyInAnyOrder("berth.http", "app");
		assertThat(usage.at("/Volumes/0/Labels").propertyNames()).containsExactlyInAnyOrder("berth.http", "app");
		byte[] event = view("GET", "/events").lines()
			.feed(("{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":\"c1\",\"Attributes\":"
					+ labels.replace("}", ",\"name\":\"acme_web\",\"image\":\"berth.local/acme/d/alpine:latest\"}") + "}}\n")
				.getBytes(StandardCharsets.UTF_8));
		assertThat(JSON.readTree(event).at("/Actor/Attributes").propertyNames())
			.containsExactlyInAnyOrder("berth.http", "app", "name", "image");
		byte[] volumeEvent = view("GET", "/events").lines()
			.feed("{\"Type\":\"volume\",\"Action\":\"create\",\"Actor\":{\"ID\":\"acme_v\",\"Attributes\":{\"driver\":\"local\",\"berth.tenant\":\"acme\"}}}\n"
				.getBytes(StandardCharsets.UTF_8));
		assertThat(JSON.readTree(volumeEvent).at("/Actor/Attributes").propertyNames()).containsExactly("driver");
	}

	@Test
	void imagesReadBackAsTheTenantGaveThem() {
		String labels = "{\"berth.tenant\":\"acme\",\"berth.image\":\"alpine\"}";
		JsonNode inspect = json(view("GET", "/containers/web/json"), "{\"Name\":\"/acme_web\",\"Image\":\"sha256:ab\","
				+ "\"Config\":{\"Image\":\"berth.local/acme/d/alpine:latest\",\"Labels\":" + labels + "}}");
		assertThat(inspect.at("/Config/Image").asString()).isEqualTo("alpine");
		JsonNode list = json(view("GET", "/containers/json"), "[{\"Names\":[\"/acme_web\"],"
				+ "\"Image\":\"berth.local/acme/d/alpine:latest\",\"Labels\":" + labels + "}]");
		assertThat(list.at("/0/Image").asString()).isEqualTo("alpine");
		JsonNode pinned = json(view("GET", "/containers/web/json"), "{\"Name\":\"/acme_web\",\"Config\":{"
				+ "\"Image\":\"sha256:0123456789abcdef\",\"Labels\":{\"berth.image\":\"0123\"}}}");
		assertThat(pinned.at("/Config/Image").asString()).as("an ID prefix, pinned to the full ID on the engine")
			.isEqualTo("0123");
		byte[] event = view("GET", "/events").lines()
			.feed(("{\"Type\":\"container\",\"Action\":\"create\",\"from\":\"berth.local/acme/d/alpine:latest\","
					+ "\"Actor\":{\"ID\":\"c1\",\"Attributes\":{\"image\":\"berth.local/acme/d/alpine:latest\","
					+ "\"berth.image\":\"alpine\",\"name\":\"acme_web\"}}}\n").getBytes(StandardCharsets.UTF_8));
		JsonNode shown = JSON.readTree(event);
		assertThat(shown.get("from").asString()).isEqualTo("alpine");
		assertThat(shown.at("/Actor/Attributes/image").asString()).isEqualTo("alpine");
	}

	@Test
	void theDefaultNetworksEndpointFillsTheTopLevelSettingsAsOnAPrivateEngine() {
		JsonNode inspect = json(view("GET", "/containers/web/json"), """
				{"Name":"/acme_web","NetworkSettings":{"Bridge":"","IPAddress":"","IPPrefixLen":0,"Gateway":"","MacAddress":"",
				  "EndpointID":"","GlobalIPv6Address":"","GlobalIPv6PrefixLen":0,"IPv6Gateway":"","Ports":{},
				  "Networks":{"acme_back":{"IPAddress":"172.30.0.2","MacAddress":"02:42:ac:1e:00:02"},
				              "acme_bridge":{"EndpointID":"e1","Gateway":"172.29.0.1","IPAddress":"172.29.0.5","IPPrefixLen":16,
				                             "IPv6Gateway":"","GlobalIPv6Address":"","GlobalIPv6PrefixLen":0,
				                             "MacAddress":"02:42:ac:1d:00:05"}}}}""");
		JsonNode settings = inspect.get("NetworkSettings");
		assertThat(settings.get("IPAddress").asString()).isEqualTo("172.29.0.5");
		assertThat(settings.get("Gateway").asString()).isEqualTo("172.29.0.1");
		assertThat(settings.get("IPPrefixLen").asInt()).isEqualTo(16);
		assertThat(settings.get("MacAddress").asString()).isEqualTo("02:42:ac:1d:00:05");
		assertThat(settings.get("EndpointID").asString()).isEqualTo("e1");
		assertThat(settings.at("/Networks/bridge/IPAddress").asString()).isEqualTo("172.29.0.5");
		JsonNode elsewhere = json(view("GET", "/containers/web/json"), """
				{"Name":"/acme_web","NetworkSettings":{"IPAddress":"","Networks":{"acme_back":{"IPAddress":"172.30.0.2"}}}}""");
		assertThat(elsewhere.at("/NetworkSettings/IPAddress").asString())
			.as("on a network of its own only, as on a private engine").isEmpty();
	}

	@Test
	void imagesOfContainersAreShownAsTheTenantNamedThem() {
		JsonNode list = json(view("GET", "/containers/json"), """
				[{"Id":"c1","Names":["/acme_web"],"Image":"berth.local/acme/d/app:1"},
				 {"Id":"c2","Names":["/acme_db"],"Image":"berth.local/acme/r/127.0.0.1__5000/x/db:2"},
				 {"Id":"c3","Names":["/acme_x"],"Image":"berth.local/bob/d/app:1"},
				 {"Id":"c4","Names":["/acme_y"],"Image":"busybox"}]""");
		assertThat(list.findValuesAsString("Image")).containsExactly("app:1", "127.0.0.1:5000/x/db:2",
				"berth.local/bob/d/app:1", "busybox");
		JsonNode inspect = json(view("GET", "/containers/web/json"),
				"{\"Name\":\"/acme_web\",\"Image\":\"sha256:ab\",\"Config\":{\"Image\":\"berth.local/acme/d/app:1\"}}");
		assertThat(inspect.at("/Config/Image").asString()).isEqualTo("app:1");
		assertThat(inspect.get("Image").asString()).isEqualTo("sha256:ab");
		byte[] event = view("GET", "/events").lines()
			.feed(("{\"Type\":\"container\",\"from\":\"berth.local/acme/d/app:1\",\"Actor\":{\"ID\":\"c1\","
					+ "\"Attributes\":{\"image\":\"berth.local/acme/d/app:1\",\"name\":\"acme_web\"}}}\n")
				.getBytes(StandardCharsets.UTF_8));
		JsonNode shown = JSON.readTree(event);
		assertThat(shown.get("from").asString()).isEqualTo("app:1");
		assertThat(shown.at("/Actor/Attributes/image").asString()).isEqualTo("app:1");
		assertThat(shown.at("/Actor/Attributes/name").asString()).isEqualTo("web");
	}

	@Test
	void nameFiltersMatchTheNamesTheTenantSees() {
		assertThat(names(view("GET", "/containers/json?filters=" + encoded("{\"name\":[\"^web$\"]}")))).containsExactly("/web");
		assertThat(names(view("GET", "/containers/json?filters=" + encoded("{\"name\":{\"^/web\":true}}"))))
			.containsExactly("/web", "/webhook");
		assertThat(names(view("GET", "/containers/json?filters=" + encoded("{\"name\":[\"db\",\"hook\"]}"))))
			.containsExactly("/db", "/webhook");
		assertThat(names(view("GET", "/containers/json?filters=" + encoded("{\"name\":[\"acme\"]}"))))
			.as("the engine-side prefix is not part of any name").isEmpty();
		assertThat(names(view("GET", "/containers/json?filters=" + encoded("{\"name\":[\"[\"]}"))))
			.as("an invalid expression matches nothing, as with the engine").isEmpty();
		assertThat(names(view("GET", "/containers/json?limit=1&filters=" + encoded("{\"name\":[\"web\"]}"))))
			.as("the limit applies after the name filter").containsExactly("/web");
	}

	private static List<String> names(TenantView view) {
		List<String> out = new ArrayList<>();
		json(view, LIST).forEach(item -> out.add(item.get("Names").get(0).asString()));
		return out;
	}

	private static String encoded(String filters) {
		return java.net.URLEncoder.encode(filters, StandardCharsets.UTF_8);
	}

	@Test
	void containerInspectShowsTheTenantsNames() {
		JsonNode inspect = json(view("GET", "/v1.41/containers/acme_web/json"), """
				{"Id":"c1","Name":"/acme_web","Config":{"Hostname":"c1","Env":["X=acme_web"]},
				 "HostConfig":{"NetworkMode":"acme_back","Binds":["acme_data:/data:ro","/host:/h"],
				   "Links":["/acme_db:/acme_web/db"],"VolumesFrom":["c0ffee"],
				   "Mounts":[{"Type":"volume","Source":"acme_cache","Target":"/c"},{"Type":"tmpfs","Target":"/t"}]},
				 "Mounts":[{"Type":"volume","Name":"acme_data","Source":"/var/lib/docker/volumes/acme_data/_data"}],
				 "NetworkSettings":{"Networks":{"acme_back":{"Links":["acme_db:db"],"Aliases":["web","c1"]}}}}""");
		assertThat(inspect.get("Name").asString()).isEqualTo("/web");
		assertThat(inspect.at("/HostConfig/NetworkMode").asString()).isEqualTo("back");
		assertThat(inspect.at("/HostConfig/Binds/0").asString()).isEqualTo("data:/data:ro");
		assertThat(inspect.at("/HostConfig/Binds/1").asString()).isEqualTo("/host:/h");
		assertThat(inspect.at("/HostConfig/Links/0").asString()).isEqualTo("/db:/web/db");
		assertThat(inspect.at("/HostConfig/Mounts/0/Source").asString()).isEqualTo("cache");
		assertThat(inspect.at("/Mounts/0/Name").asString()).isEqualTo("data");
		assertThat(inspect.at("/NetworkSettings/Networks/back/Links/0").asString()).isEqualTo("db:db");
		assertThat(inspect.at("/Config/Env/0").asString()).as("the tenant's own data is not touched").isEqualTo("X=acme_web");
	}

	@Test
	void volumesAndNetworksShowTheTenantsNames() {
		JsonNode volumes = json(view("GET", "/volumes?filters=" + encoded("{\"name\":[\"^da\"]}")), """
				{"Volumes":[{"Name":"acme_data","Driver":"local"},{"Name":"acme_cache","Driver":"local"}],"Warnings":null}""");
		assertThat(volumes.get("Volumes")).hasSize(1);
		assertThat(volumes.at("/Volumes/0/Name").asString()).isEqualTo("data");
		assertThat(json(view("POST", "/volumes/create"), "{\"Name\":\"acme_data\",\"Mountpoint\":\"/v/acme_data/_data\"}")
			.get("Name")
			.asString()).isEqualTo("data");
		assertThat(json(view("GET", "/volumes/data"), "{\"Name\":\"acme_data\"}").get("Name").asString()).isEqualTo("data");
		JsonNode network = json(view("GET", "/networks/net"), """
				{"Name":"acme_net","Id":"n1","Containers":{"c1":{"Name":"acme_web","IPv4Address":"172.25.0.2/16"}}}""");
		assertThat(network.get("Name").asString()).isEqualTo("net");
		assertThat(network.at("/Containers/c1/Name").asString()).isEqualTo("web");
		JsonNode networks = json(view("GET", "/networks?filters=" + encoded("{\"name\":[\"net\"]}")), """
				[{"Name":"acme_bridge","Id":"n0"},{"Name":"acme_net","Id":"n1"}]""");
		assertThat(networks).hasSize(1);
		assertThat(networks.get(0).get("Name").asString()).isEqualTo("net");
		assertThat(json(view("GET", "/networks"), "[{\"Name\":\"acme_bridge\"}]").get(0).get("Name").asString())
			.isEqualTo("bridge");
	}

	@Test
	void prunesShowTheTenantsNames() {
		assertThat(json(view("POST", "/volumes/prune"), "{\"VolumesDeleted\":[\"acme_data\"],\"SpaceReclaimed\":3}")
			.at("/VolumesDeleted/0").asString()).isEqualTo("data");
		assertThat(json(view("POST", "/networks/prune"), "{\"NetworksDeleted\":[\"acme_net\"]}").at("/NetworksDeleted/0")
			.asString()).isEqualTo("net");
	}

	@Test
	void diskUsageHasOnlyTheTenantsContainersAndVolumes() {
		JsonNode usage = json(view("GET", "/system/df"), """
				{"LayersSize":1,"Images":[{"Id":"sha256:i"}],
				 "Containers":[{"Id":"c1","Names":["/acme_web"],"Labels":{"berth.tenant":"acme"}},
				               {"Id":"c2","Names":["/bob_web"],"Labels":{"berth.tenant":"bob"}},
				               {"Id":"c3","Names":["/operator"],"Labels":{}}],
				 "Volumes":[{"Name":"acme_data","Labels":{"berth.tenant":"acme"}},{"Name":"bob_data","Labels":{"berth.tenant":"bob"}},
				            {"Name":"0123","Labels":null}],
				 "BuildCache":[]}""");
		assertThat(usage.get("Containers")).hasSize(1);
		assertThat(usage.at("/Containers/0/Names/0").asString()).isEqualTo("/web");
		assertThat(usage.get("Volumes")).hasSize(1);
		assertThat(usage.at("/Volumes/0/Name").asString()).isEqualTo("data");
		assertThat(usage.get("Images")).hasSize(1);
	}

	@Test
	void othersNamesAreNeverTouched() {
		JsonNode list = json(view("GET", "/containers/json"), "[{\"Names\":[\"/bob_web\",\"/acmex_web\",\"/acme\"]}]");
		assertThat(list.at("/0/Names").toString()).isEqualTo("[\"/bob_web\",\"/acmex_web\",\"/acme\"]");
	}

	@Test
	void answersThatAreNotRewrittenPassAsTheyAre() {
		assertThat(view("GET", "/containers/abc/logs").shape()).isEqualTo(TenantView.Shape.UNCHANGED);
		assertThat(view("GET", "/containers/abc/archive").shape()).isEqualTo(TenantView.Shape.UNCHANGED);
		assertThat(view("POST", "/containers/create").shape()).isEqualTo(TenantView.Shape.UNCHANGED);
		assertThat(view("GET", "/containers/json").shape()).isEqualTo(TenantView.Shape.JSON);
		assertThat(view("GET", "/events").shape()).isEqualTo(TenantView.Shape.LINES);
		assertThat(view("GET", "/v1.41/containers/web/stats").shape()).isEqualTo(TenantView.Shape.LINES);
		byte[] notJson = "not json acme_web".getBytes(StandardCharsets.UTF_8);
		assertThat(view("GET", "/containers/json").json(notJson)).isSameAs(notJson);
		byte[] empty = "[]\n".getBytes(StandardCharsets.UTF_8);
		assertThat(view("GET", "/containers/json").json(empty)).as("nothing named: not parsed").isSameAs(empty);
		byte[] others = "[{\"Names\":[\"/web\"]}]".getBytes(StandardCharsets.UTF_8);
		assertThat(view("GET", "/containers/json").json(others)).isSameAs(others);
	}

	@Test
	void errorsShowTheTenantsNames() {
		assertThat(error("{\"message\":\"Conflict. The container name \\\"/acme_web\\\" is already in use by container "
				+ "\\\"c1\\\". You have to remove (or rename) that container to be able to reuse that name.\"}\n"))
			.isEqualTo("{\"message\":\"Conflict. The container name \\\"/web\\\" is already in use by container "
					+ "\\\"c1\\\". You have to remove (or rename) that container to be able to reuse that name.\"}\n");
		assertThat(error("{\"message\":\"No such container: acme_web\"}")).isEqualTo("{\"message\":\"No such container: web\"}");
		assertThat(error("{\"message\":\"remove acme_data: volume is in use - [c1]\"}"))
			.isEqualTo("{\"message\":\"remove data: volume is in use - [c1]\"}");
		assertThat(error("{\"message\":\"network with name acme_net already exists\"}"))
			.isEqualTo("{\"message\":\"network with name net already exists\"}");
		assertThat(error("{\"message\":\"No such container: acme_acme_web\"}")).as("only the prefix goes")
			.isEqualTo("{\"message\":\"No such container: acme_web\"}");
		assertThat(error("{\"message\":\"No such container: bob_web, xacme_web, acme_\"}")).as("not at a name boundary")
			.isEqualTo("{\"message\":\"No such container: bob_web, xacme_web, acme_\"}");
		assertThat(error("plain text acme_web")).isEqualTo("plain text acme_web");
	}

	private static String error(String body) {
		return new String(TenantView.error("acme", body.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
	}

	@Test
	void eventsAreRewrittenAsTheyStreamEvenWhenSplitAcrossChunks() {
		String events = """
				{"status":"start","id":"c1","Type":"container","Action":"start","Actor":{"ID":"c1","Attributes":{"image":"busybox","name":"acme_web","app":"acme_web"}},"time":1}
				{"Type":"container","Action":"rename","Actor":{"ID":"c1","Attributes":{"name":"acme_web2","oldName":"/acme_web"}},"time":2}
				{"Type":"volume","Action":"create","Actor":{"ID":"acme_data","Attributes":{"driver":"local"}},"time":3}
				{"Type":"network","Action":"connect","Actor":{"ID":"n1","Attributes":{"container":"c1","name":"acme_net","type":"bridge"}},"time":4}
				""";
		byte[] bytes = events.getBytes(StandardCharsets.UTF_8);
		for (int size : new int[] { 1, 7, 64, bytes.length }) {
			TenantView.Lines lines = view("GET", "/v1.41/events?filters=%7B%7D").lines();
			StringBuilder out = new StringBuilder();
			for (int at = 0; at < bytes.length; at += size) {
				byte[] chunk = java.util.Arrays.copyOfRange(bytes, at, Math.min(bytes.length, at + size));
				out.append(new String(lines.feed(chunk), StandardCharsets.UTF_8));
			}
			out.append(new String(lines.finish(), StandardCharsets.UTF_8));
			String[] shown = out.toString().split("\n");
			assertThat(shown).as("chunks of %d bytes", size).hasSize(4);
			JsonNode start = JSON.readTree(shown[0]);
			assertThat(start.at("/Actor/Attributes/name").asString()).isEqualTo("web");
			assertThat(start.at("/Actor/Attributes/app").asString()).as("a label is the tenant's own").isEqualTo("acme_web");
			JsonNode rename = JSON.readTree(shown[1]);
			assertThat(rename.at("/Actor/Attributes/name").asString()).isEqualTo("web2");
			assertThat(rename.at("/Actor/Attributes/oldName").asString()).isEqualTo("/web");
			assertThat(JSON.readTree(shown[2]).at("/Actor/ID").asString()).isEqualTo("data");
			assertThat(JSON.readTree(shown[3]).at("/Actor/Attributes/name").asString()).isEqualTo("net");
			assertThat(out.toString()).endsWith("}\n").doesNotContain("\"name\":\"acme_").doesNotContain("\"acme_data\"");
		}
	}

	@Test
	void aLastLineWithoutNewlineIsRewrittenAtTheEnd() {
		TenantView.Lines lines = view("GET", "/containers/web/stats?stream=0").lines();
		assertThat(lines.feed("{\"name\":\"/acme_web\",\"id\":\"c1\"}".getBytes(StandardCharsets.UTF_8))).isEmpty();
		assertThat(new String(lines.finish(), StandardCharsets.UTF_8)).isEqualTo("{\"name\":\"/web\",\"id\":\"c1\"}");
	}

	@Test
	void aRunawayLineIsRefused() {
		TenantView.Lines lines = view("GET", "/events").lines();
		assertThatThrownBy(() -> lines.feed(new byte[TenantView.MAX_LINE + 1])).isInstanceOf(IllegalStateException.class);
	}

}
