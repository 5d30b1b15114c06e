package berth.isolation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class SummariesTest {

	static final JsonMapper JSON = JsonMapper.builder().build();

	static JsonNode json(String text) {
		return JSON.readTree(text.replace('\'', '"'));
	}

	@Test
	void infoCountsTheTenantsContainersByStateAndTheImagesTheyUse() {
		JsonNode engine = json("{'Containers':40,'ContainersRunning':30,'ContainersPaused':2,'ContainersStopped':8,"
				+ "'Images':70,'ServerVersion':'26.1.5','NCPU':2}");
		JsonNode mine = json("[{'State':'running','ImageID':'sha256:a'},{'State':'paused','ImageID':'sha256:a'},"
				+ "{'State':'exited','ImageID':'sha256:b'},{'State':'created','ImageID':'sha256:b'},"
				+ "{'State':'dead','ImageID':''}]");
		JsonNode info = Summaries.info(engine, mine);
		assertThat(info.get("Containers").asInt()).isEqualTo(5);
		assertThat(info.get("ContainersRunning").asInt()).isEqualTo(1);
		assertThat(info.get("ContainersPaused").asInt()).isEqualTo(1);
		assertThat(info.get("ContainersStopped").asInt()).isEqualTo(3);
		assertThat(info.get("Images").asInt()).isEqualTo(2);
		assertThat(info.get("ServerVersion").asString()).isEqualTo("26.1.5");
		assertThat(engine.get("Containers").asInt()).as("the engine's answer is not changed in place").isEqualTo(40);
	}

	@Test
	void diskUsageKeepsOnlyWhatTheTenantOwnsOrUses() {
		JsonNode engine = json("""
				{'LayersSize':999,
				 'Images':[{'Id':'sha256:a','Size':100,'Containers':5,'RepoTags':['busybox:latest','berth.local/other/d/x:1','berth.local/acme/d/mine:2']},{'Id':'sha256:b','Size':50,'Containers':1},
				           {'Id':'sha256:c','Size':7,'Containers':0}],
				 'Containers':[{'Id':'1','ImageID':'sha256:a','Labels':{'berth.tenant':'acme'}},
				               {'Id':'2','ImageID':'sha256:a','Labels':{'berth.tenant':'acme'}},
				               {'Id':'3','ImageID':'sha256:b','Labels':{'berth.tenant':'other'}},
				               {'Id':'4','ImageID':'sha256:b','Labels':{}}],
				 'Volumes':[{'Name':'v1','Labels':{'berth.tenant':'acme'}},{'Name':'v2','Labels':null},
				            {'Name':'v3','Labels':{'berth.tenant':'acmex'}}],
				 'BuildCache':[{'ID':'x'}]}""");
		JsonNode df = Summaries.df(engine, "acme");
		assertThat(df.get("Containers").findValuesAsString("Id")).containsExactly("1", "2");
		assertThat(df.get("Volumes").findValuesAsString("Name")).containsExactly("v1");
		assertThat(df.get("Images").findValuesAsString("Id")).containsExactly("sha256:a");
		assertThat(df.at("/Images/0/Containers").asInt()).isEqualTo(2);
		assertThat(df.at("/Images/0/RepoTags").valueStream().map(JsonNode::asString))
			.containsExactly("busybox:latest", "mine:2");
		assertThat(df.get("LayersSize").asLong()).isEqualTo(100);
		assertThat(df.get("BuildCache")).isEmpty();
	}

}
