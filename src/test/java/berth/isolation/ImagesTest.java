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
