package berth.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** What is published and how, without Redis or an engine: keys, change ordering, decisions, targets. */
class RoutePublishingTest {

	static final JsonMapper JSON = JsonMapper.builder().build();

	final TraefikKeys keys = new TraefikKeys("traefik", "websecure", "le");

	final KvChange.Index index = new KvChange.Index("traefik");

	final Hostnames hostnames = new Hostnames("berth.example");

	static final UUID ACME = UUID.randomUUID();

	@Test
	void aRouteIsARouterAndAServiceInTraefiksLayout() {
		assertThat(keys.of("acme-0123456789ab-0", "front.acme.berth.example", "http://172.17.0.3:80"))
			.containsExactly(Map.entry("traefik/http/services/acme-0123456789ab-0/loadBalancer/servers/0/url", "http://172.17.0.3:80"),
					Map.entry("traefik/http/routers/acme-0123456789ab-0/rule", "Host(`front.acme.berth.example`)"),
					Map.entry("traefik/http/routers/acme-0123456789ab-0/entryPoints/0", "websecure"),
					Map.entry("traefik/http/routers/acme-0123456789ab-0/service", "acme-0123456789ab-0"),
					Map.entry("traefik/http/routers/acme-0123456789ab-0/tls/certResolver", "le"));
		assertThat(new TraefikKeys("traefik", "web", "").of("r", "h.example", "http://x:1").keySet())
			.noneMatch(key -> key.contains("/tls"));
	}

	@Test
	void newRoutesWriteServicesBeforeRoutersAndRemovalsDeleteRoutersBeforeServices() {
		var one = KvChange.Route.of("a.example", keys.of("one", "a.example", "http://10.0.0.1:80"));
		var two = KvChange.Route.of("b.example", keys.of("two", "b.example", "http://10.0.0.2:80"));
		KvChange change = KvChange.between(Map.of("one", one), Map.of("two", two), keys, index);
		List<String> ops = change.ops().stream().map(RoutePublishingTest::describe).toList();

		int lastServiceSet = lastIndexOf(ops, "SET traefik/http/services/");
		int firstRouterSet = ops.indexOf(ops.stream().filter(op -> op.startsWith("SET traefik/http/routers/")).findFirst().orElseThrow());
		int lastRouterDelete = lastIndexOf(ops, "DEL traefik/http/routers/");
		int firstServiceDelete = ops.indexOf(ops.stream().filter(op -> op.startsWith("DEL traefik/http/services/")).findFirst().orElseThrow());
		assertThat(lastServiceSet).isLessThan(firstRouterSet);
		assertThat(lastRouterDelete).isLessThan(firstServiceDelete);
		assertThat(ops).contains("SADD berth:routes:traefik:names two", "SREM berth:routes:traefik:names one",
				"DEL berth:routes:traefik:route:one", "SADD berth:routes:traefik:route:two traefik/http/routers/two/rule");
		assertThat(ops).noneMatch(op -> op.contains("EXPIRE"));
	}

	@Test
	void anUnchangedViewWritesNothingAndAChangedUrlWritesOneKey() {
		var route = KvChange.Route.of("a.example", keys.of("one", "a.example", "http://10.0.0.1:80"));
		assertThat(KvChange.between(Map.of("one", route), Map.of("one", route), keys, index).isEmpty()).isTrue();

		var moved = KvChange.Route.of("a.example", keys.of("one", "a.example", "http://10.0.0.9:80"));
		assertThat(KvChange.between(Map.of("one", route), Map.of("one", moved), keys, index).ops().stream().map(RoutePublishingTest::describe))
			.containsExactly("SET traefik/http/services/one/loadBalancer/servers/0/url http://10.0.0.9:80");
	}

	@Test
	void keysLostFromRedisAreWrittenAgainAndKeysNoLongerWantedAreDeleted() {
		Map<String, String> partial = new LinkedHashMap<>(keys.of("one", "a.example", "http://10.0.0.1:80"));
		partial.remove("traefik/http/routers/one/rule");
		partial.put("traefik/http/routers/one/middlewares/0", "old");
		var inRedis = new KvChange.Route("", partial, Set.copyOf(partial.keySet()));
		var wanted = KvChange.Route.of("a.example", keys.of("one", "a.example", "http://10.0.0.1:80"));
		assertThat(KvChange.between(Map.of("one", inRedis), Map.of("one", wanted), keys, index).ops().stream().map(RoutePublishingTest::describe))
			.containsExactly("SET traefik/http/routers/one/rule Host(`a.example`)", "DEL traefik/http/routers/one/middlewares/0",
					"SADD berth:routes:traefik:route:one traefik/http/routers/one/rule",
					"SREM berth:routes:traefik:route:one traefik/http/routers/one/middlewares/0");
	}

	@Test
	void theNewestRunningContainerServesAHostAndOthersWait() {
		RouteRow old = row("aaaa", "front.acme.berth.example", true, "http://10.0.0.1:80", Instant.parse("2026-01-01T00:00:00Z"));
		RouteRow replacement = row("bbbb", "front.acme.berth.example", true, "http://10.0.0.2:80", Instant.parse("2026-01-02T00:00:00Z"));
		RouteRow stopped = row("cccc", "front.acme.berth.example", false, null, Instant.parse("2026-01-03T00:00:00Z"));
		RouteRow unreachable = row("dddd", "api.acme.berth.example", true, null, Instant.now());
		RouteRow foreign = row("eeee", "front.other.berth.example", true, "http://10.0.0.5:80", Instant.now());
		RouteRow unregistered = row("ffff", "shop.example.org", true, "http://10.0.0.6:80", Instant.now());
		RouteRow registered = row("gggg", "shop.example.com", true, "http://10.0.0.7:80", Instant.now());
		var decisions = RoutePlan.decide(List.of(old, replacement, stopped, unreachable, foreign, unregistered, registered),
				hostnames, Map.of(ACME, Set.of("shop.example.com")));
		assertThat(decisions).extracting(d -> d.row().containerId() + "=" + d.status())
			.containsExactly("aaaa=SHADOWED", "bbbb=PUBLISHED", "cccc=STOPPED", "dddd=NO_ADDRESS", "eeee=NOT_ALLOWED",
					"ffff=NOT_ALLOWED", "gggg=PUBLISHED");
	}

	@Test
	void routerNamesAreUniquePerTenantContainerAndEntry() {
		RouteRow row = new RouteRow("0123456789abcdef0123", 2, ACME, "acme", "shared", "web", "x.acme.berth.example", 80,
				true, "http://10.0.0.1:80", Instant.now());
		assertThat(row.routerName()).isEqualTo("acme-0123456789ab-2");
	}

	@Test
	void targetsComeFromInspectAndListAnswers() {
		String inspect = """
				{"Id":"0e6005afe175","Name":"/web","Config":{"Labels":{"berth.http":"front:80","n":1}},
				 "State":{"Running":true,"StartedAt":"2026-11-22T08:30:04.985730808Z"},
				 "NetworkSettings":{"Ports":{"80/tcp":[{"HostIp":"127.0.0.1","HostPort":"32768"}],"53/udp":null,"81/tcp":null},
				   "Networks":{"bridge":{"IPAddress":"172.17.0.3"},"zz_net":{"IPAddress":"172.20.0.2"}}}}""";
		ContainerView view = ContainerView.fromInspect(JSON.readTree(inspect));
		assertThat(view.name()).isEqualTo("web");
		assertThat(view.labels()).containsExactly(Map.entry("berth.http", "front:80"));
		assertThat(view.startedAt()).isEqualTo(Instant.parse("2026-11-22T08:30:04.985730808Z"));
		assertThat(view.targetUrl(80, RouteProperties.Target.CONTAINER_IP, "", "127.0.0.1")).isEqualTo("http://172.17.0.3:80");
		assertThat(view.targetUrl(80, RouteProperties.Target.CONTAINER_IP, "zz_net", "127.0.0.1")).isEqualTo("http://172.20.0.2:80");
		assertThat(view.targetUrl(80, RouteProperties.Target.PUBLISHED_PORT, "", "10.1.1.1")).isEqualTo("http://10.1.1.1:32768");
		assertThat(view.targetUrl(81, RouteProperties.Target.PUBLISHED_PORT, "", "10.1.1.1")).isNull();

		String list = """
				{"Id":"0e6005afe175","Names":["/web"],"Ports":[{"IP":"127.0.0.1","PrivatePort":80,"PublicPort":32768,"Type":"tcp"},
				 {"PrivatePort":443,"Type":"tcp"}],"Labels":{"berth.http":"front:80"},"State":"running",
				 "NetworkSettings":{"Networks":{"bridge":{"IPAddress":"172.17.0.3"}}}}""";
		ContainerView listed = ContainerView.fromList(JSON.readTree(list));
		assertThat(listed.running()).isTrue();
		assertThat(listed.targetUrl(80, RouteProperties.Target.CONTAINER_IP, "", "x")).isEqualTo("http://172.17.0.3:80");
		assertThat(listed.targetUrl(80, RouteProperties.Target.PUBLISHED_PORT, "", "x")).isEqualTo("http://x:32768");
		assertThat(listed.targetUrl(443, RouteProperties.Target.PUBLISHED_PORT, "", "x")).isNull();

		ContainerView hostNetwork = ContainerView.fromInspect(JSON.readTree("""
				{"Id":"1","Name":"/h","State":{"Running":true},"NetworkSettings":{"Networks":{"host":{"IPAddress":""}}}}"""));
		assertThat(hostNetwork.targetUrl(80, RouteProperties.Target.CONTAINER_IP, "", "x")).isNull();
	}

	@Test
	void hostnamesKnowWhereANameLies() {
		assertThat(hostnames.placeOf("berth.example").kind()).isEqualTo(Hostnames.Kind.APEX);
		assertThat(hostnames.placeOf("acme.berth.example")).isEqualTo(new Hostnames.Place(Hostnames.Kind.PLATFORM_HOST, "acme"));
		assertThat(hostnames.placeOf("a.b.acme.berth.example")).isEqualTo(new Hostnames.Place(Hostnames.Kind.UNDER_TENANT, "acme"));
		assertThat(hostnames.placeOf("xberth.example").kind()).isEqualTo(Hostnames.Kind.OUTSIDE);
		assertThat(hostnames.isOwnSubdomain("acme", "front.acme.berth.example")).isTrue();
		assertThat(hostnames.isOwnSubdomain("acme", "front.acme2.berth.example")).isFalse();
		assertThat(hostnames.expand("acme", new HttpLabels.Entry("front", 80))).isEqualTo("front.acme.berth.example");
	}

	private static RouteRow row(String id, String host, boolean running, String url, Instant startedAt) {
		return new RouteRow(id, 0, ACME, "acme", "shared", id, host, 80, running, url, startedAt);
	}

	private static int lastIndexOf(List<String> ops, String prefix) {
		int last = -1;
		for (int i = 0; i < ops.size(); i++) {
			if (ops.get(i).startsWith(prefix)) {
				last = i;
			}
		}
		return last;
	}

	private static String describe(KvChange.Op op) {
		return switch (op) {
			case KvChange.Op.Set set -> "SET " + set.key() + " " + set.value();
			case KvChange.Op.Delete delete -> "DEL " + delete.key();
			case KvChange.Op.AddToIndex add -> "SADD " + add.index() + " " + add.member();
			case KvChange.Op.RemoveFromIndex remove -> "SREM " + remove.index() + " " + remove.member();
		};
	}

}
