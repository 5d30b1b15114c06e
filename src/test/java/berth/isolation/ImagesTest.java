package berth.isolation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class ImagesTest {

	static final JsonMapper JSON = JsonMapper.builder().build();

	static JsonNode json(String text) {
		return JSON.readTree(text.replace('\'', '"'));
	}

	@Test
	void anImageIsUsableWithASharedTagOrOneOfTheTenantsOwn() {
		assertThat(Images.usable("acme", json("['busybox:latest']"))).isTrue();
		assertThat(Images.usable("acme", json("['berth.local/acme/d/app:1']"))).isTrue();
		assertThat(Images.usable("acme", json("['berth.local/other/d/app:1']"))).isFalse();
		assertThat(Images.usable("acme", json("[]"))).as("untagged: nobody's to use").isFalse();
	}

	@Test
	void theTenantSeesItsOwnNamesAndTheSharedOnesNeverAnotherTenants() {
		JsonNode tags = json("['busybox:latest','berth.local/other/d/x:1','berth.local/acme/r/127.0.0.1__5000/y:2']");
		assertThat(Images.tenantTags("acme", tags, true)).containsExactly("busybox:latest", "127.0.0.1:5000/y:2");
		assertThat(Images.tenantTags("acme", tags, false)).containsExactly("127.0.0.1:5000/y:2");
		JsonNode inspected = Images.inspected("acme", json("{'Id':'sha256:1','RepoTags':['berth.local/other/d/x:1',"
				+ "'berth.local/acme/d/mine:1'],'RepoDigests':['127.0.0.1:5000/y@sha256:00']}"));
		assertThat(inspected.get("RepoTags").valueStream().map(JsonNode::asString)).containsExactly("mine:1");
		assertThat(inspected.get("RepoDigests")).hasSize(1);
	}

	@Test
	void aCommittedImageNamesTheImageOfItsContainerAsTheTenantGaveItAndCarriesNoBerthLabels() {
		JsonNode inspected = Images.inspected("acme", json("{'Id':'sha256:2','RepoTags':['berth.local/acme/d/snap:1'],"
				+ "'Config':{'Image':'berth.local/acme/d/alpine:latest','Labels':{'berth.tenant':'acme',"
				+ "'berth.tenant.id':'u1','berth.image':'alpine','app':'x'}},"
				+ "'ContainerConfig':{'Image':'berth.local/acme/r/127.0.0.1__5000/db:2','Labels':{'berth.tenant':'acme'}}}"));
		assertThat(inspected.at("/Config/Image").asString()).isEqualTo("alpine");
		assertThat(inspected.at("/Config/Labels").propertyNames()).containsExactly("app");
		assertThat(inspected.at("/ContainerConfig/Image").asString()).as("without the label, the tenant's own name")
			.isEqualTo("127.0.0.1:5000/db:2");
		assertThat(inspected.at("/ContainerConfig/Labels").propertyNames()).isEmpty();
		assertThat(inspected.toString()).doesNotContain("berth.");
	}

	@Test
	void anUnnamedImageIsItsMakersAndHasNoName() {
		String tag = ImageNames.unnamedRepository("acme") + ":latest";
		JsonNode tags = json("['" + tag + "']");
		assertThat(Images.usable("acme", tags)).isTrue();
		assertThat(Images.usable("other", tags)).isFalse();
		assertThat(Images.tenantTags("acme", tags, true)).isEmpty();
		assertThat(Images.unnamed("acme", json("['berth.local/acme/d/app:1','" + tag + "']"))).isTrue();
		assertThat(Images.unnamed("other", tags)).isFalse();
	}

	@Test
	void aBuildsTagForAnUnnamedImageIsLeftOutOfItsOutputButNotAnError() {
		String tag = ImageNames.unnamedRepository("acme") + ":latest";
		NameStream stream = new NameStream("acme");
		String out = new String(stream.feed(("{'stream':'Successfully built 0123456789ab\\n'}\r\n"
				+ "{'stream':'Successfully tagged " + tag + "\\n'}\r\n"
				+ "{'errorDetail':{'message':'tag " + tag + " failed'},'error':'tag " + tag + " failed'}\r\n")
			.replace('\'', '"')
			.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
		assertThat(out).contains("Successfully built").doesNotContain("Successfully tagged").doesNotContain("berth.local")
			.contains("\"error\":\"tag <none> failed\"");
		assertThat(stream.failed()).isTrue();
	}

	@Test
	void credentialsAreAnyUserPasswordOrToken() {
		assertThat(Images.credentialed(null)).isFalse();
		assertThat(Images.credentialed(encode("{}"))).isFalse();
		assertThat(Images.credentialed(encode("{\"serveraddress\":\"127.0.0.1:5000\"}"))).isFalse();
		assertThat(Images.credentialed(encode("{\"username\":\"u\",\"password\":\"p\"}"))).isTrue();
		assertThat(Images.credentialed(encode("{\"identitytoken\":\"t\"}"))).isTrue();
		assertThat(Images.credentialed("%%%not base64")).as("unreadable: the safe side").isTrue();
	}

	@Test
	void referenceFiltersMatchLikeTheEngines() {
		assertThat(Images.glob("busy*").matcher("busybox").matches()).isTrue();
		assertThat(Images.glob("busy*").matcher("busy/box").matches()).isFalse();
		assertThat(Images.glob("a.b").matcher("axb").matches()).isFalse();
	}

	private static String encode(String json) {
		return Base64.getUrlEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
	}

}
