package berth.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EndpointsTest {

	@ParameterizedTest
	@CsvSource({ "/_ping, /_ping", "/v1.41/_ping, /_ping", "/v1.41/containers/json, /containers/json",
			"/containers/create, /containers/create",
			"/v1.41/containers/3f2a9c/logs, /containers/{id}/logs",
			"/v1.41/containers/web/attach, /containers/{id}/attach", "/v1.41/exec/abc/start, /exec/{id}/start",
			"/v1.41/images/json, /images/json", "/v1.41/images/create, /images/create",
			"/v1.41/images/library/busybox:latest/json, /images/{name}/json",
			"/v1.41/images/127.0.0.1:5000/x/push, /images/{name}/push", "/v1.41/images/busybox, /images/{name}",
			"/v1.41/volumes, /volumes", "/v1.41/volumes/data, /volumes/{id}",
			"/v1.41/networks/net/connect, /networks/{id}/connect", "/v1.41/session, /session", "/grpc, /grpc",
			"/v1.41/system/df, /system/df", "/v1.41/whatever/else, other", "/v1.41/containers/x/../../y, other", "/containers/x/random-label, other" })
	void templates(String path, String template) {
		assertThat(Endpoints.template(path)).isEqualTo(template);
	}

	@ParameterizedTest
	@CsvSource({ "/v1.41/_ping, /_ping", "/v1/_ping, /_ping", "/v12.3/x/y, /x/y", "/v1.41/, /", "/v1.41, /v1.41",
			"/v1./_ping, /v1./_ping", "/v1.41x/_ping, /v1.41x/_ping", "/va/_ping, /va/_ping", "/v/_ping, /v/_ping",
			"/v١.41/_ping, /v١.41/_ping", "/_ping, /_ping" })
	void versionPrefixesAreDigitsOnly(String path, String unversioned) {
		assertThat(Endpoints.unversioned(path)).isEqualTo(unversioned);
	}

	@ParameterizedTest
	@CsvSource({ "/containers/{id}/attach, true", "/exec/{id}/start, true", "/session, true", "/grpc, true",
			"/containers/{id}/logs, false", "/containers/create, false" })
	void upgrades(String template, boolean upgrades) {
		assertThat(Endpoints.upgrades(template)).isEqualTo(upgrades);
	}

}
