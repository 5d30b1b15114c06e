package berth.signup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import berth.signup.SignupSupport.Browser;
import berth.testing.Admin;

/**
 * The signup pages over real HTTP with a real SMTP server (GreenMail) and the real Postgres: the
 * whole flow to a working key, and each refusal, checked by what it leaves behind (no email, no
 * tenant, a spent link). The browser test drives the same flow in Chromium.
 */
@ExtendWith(OutputCaptureExtension.class)
class SignupIT extends SignupTests {

	@Autowired
	JdbcClient jdbc;

	@Autowired
	MeterRegistry meters;

	final Admin admin = new Admin(SignupSupport.PORT);

	@Test
	void theLinkCreatesTheTenantOnceAndThePageHandsOutWorkingCredentials(CapturedOutput output) throws IOException {
		String name = Admin.uniqueName("su");
		String email = name + "@people.test";
		Browser browser = new Browser("127.0.0.11");
		HttpResponse<String> sent = browser.signUp(email, name, Map.of());
		assertThat(sent.statusCode()).isEqualTo(200);
		assertThat(sent.body()).contains("Check your email");
		String link = SignupSupport.linkMailedTo(email);
		assertThat(admin.call("GET", "/api/v1/tenants/" + name, null).status()).as("nothing before the link").isEqualTo(404);

		HttpResponse<String> confirm = browser.get(link);
		assertThat(confirm.statusCode()).isEqualTo(200);
		assertThat(confirm.body()).contains("Create my tenant");
		HttpResponse<String> welcome = browser.post("/signup/confirm", confirm.body(),
				Map.of("token", token(link), "name", name), true);
		assertThat(welcome.statusCode()).isEqualTo(201);
		assertThat(welcome.headers().firstValue("Cache-Control").orElse("")).contains("no-store");
		String page = welcome.body();
		assertThat(page).contains("unset DOCKER_HOST DOCKER_TLS_VERIFY DOCKER_CERT_PATH")
			.contains("docker context import " + name + " " + name + ".dockercontext.zip")
			.containsPattern("[0-9A-F]{2}(:[0-9A-F]{2}){31}");
		Matcher key = Pattern.compile("id=\"api-key\">(bk[a-z2-7]{42})<").matcher(page);
		assertThat(key.find()).isTrue();

		var tenant = admin.call("GET", "/api/v1/tenants/" + name, null);
		assertThat(tenant.status()).isEqualTo(200);
		assertThat(tenant.json().get("email").asString()).isEqualTo(email);
		assertThat(admin.call("GET", "/api/v1/tenants/" + name + "/plan", null).body()).contains("standard");
		// the key works on the Docker API: an authenticated ping through Berth
		var ping = java.net.http.HttpClient.newHttpClient();
		try {
			var answer = ping.send(java.net.http.HttpRequest.newBuilder(
					java.net.URI.create("http://127.0.0.1:" + SignupSupport.PORT + "/_ping"))
				.header("Authorization", "Bearer " + key.group(1))
				.build(), HttpResponse.BodyHandlers.ofString());
			assertThat(answer.statusCode()).isEqualTo(200);
			assertThat(answer.body()).isEqualTo("OK");
		}
		catch (InterruptedException e) {
			throw new IllegalStateException(e);
		}

		String contextUrl = href(page, "download-context");
		HttpResponse<byte[]> context = browser.getBytes(contextUrl);
		assertThat(context.statusCode()).isEqualTo(200);
		assertThat(entries(context.body())).containsExactlyInAnyOrder("meta.json", "tls/docker/ca.pem",
				"tls/docker/cert.pem", "tls/docker/key.pem");
		assertThat(browser.getBytes(contextUrl).statusCode()).as("a download works once").isEqualTo(410);
		HttpResponse<byte[]> zip = browser.getBytes(href(page, "download-zip"));
		assertThat(zip.statusCode()).isEqualTo(200);
		assertThat(entries(zip.body())).contains("ca.pem", "cert.pem", "key.pem", "env.sh");

		// the link is spent: following it again, or posting it again, creates nothing
		assertThat(browser.get(link).statusCode()).isEqualTo(410);
		HttpResponse<String> again = browser.post("/signup/confirm", confirm.body(),
				Map.of("token", token(link), "name", name + "x"), true);
		assertThat(again.statusCode()).isEqualTo(410);
		assertThat(admin.call("GET", "/api/v1/tenants/" + name + "x", null).status()).isEqualTo(404);
		assertThat(meters.counter("berth_signup_confirmations_total", "outcome", "created").count()).isPositive();
		// the audit log names the person by a hash of the email, never the email; and never the key
		assertThat(berthsLines(output)).contains("signup link issued: client 127.0.0.11 email#" + SignupController.shortHash(email))
			.contains("signup: tenant " + name + " created")
			.doesNotContain(email)
			.doesNotContain(key.group(1));
	}

	@Test
	void theFormAnswersTheSameWhetherOrNotTheNameIsTakenAndATakenNameCanBeChangedOnThePage() {
		String taken = admin.newTenant("su-taken").tenant();
		String email = Admin.uniqueName("su") + "@people.test";
		Browser browser = new Browser("127.0.0.12");
		HttpResponse<String> sent = browser.signUp(email, taken, Map.of());
		assertThat(sent.statusCode()).isEqualTo(200);
		assertThat(sent.body()).contains("Check your email");
		String link = SignupSupport.linkMailedTo(email);

		HttpResponse<String> confirm = browser.get(link);
		HttpResponse<String> conflict = browser.post("/signup/confirm", confirm.body(),
				Map.of("token", token(link), "name", taken), true);
		assertThat(conflict.statusCode()).isEqualTo(409);
		assertThat(conflict.body()).contains("was taken meanwhile");
		String other = Admin.uniqueName("su-other");
		HttpResponse<String> created = browser.post("/signup/confirm", conflict.body(),
				Map.of("token", token(link), "name", other), true);
		assertThat(created.statusCode()).isEqualTo(201);
		assertThat(admin.call("GET", "/api/v1/tenants/" + other, null).json().get("email").asString()).isEqualTo(email);
	}

	@Test
	void aFilledHoneypotGetsTheUsualPageAndNoEmail(CapturedOutput output) throws InterruptedException {
		String email = Admin.uniqueName("su-bot") + "@people.test";
		double before = meters.counter("berth_signup_submissions_total", "outcome", "honeypot").count();
		HttpResponse<String> answer = new Browser("127.0.0.13").signUp(email, Admin.uniqueName("su-bot"),
				Map.of("website", "http://spam.example"));
		assertThat(answer.statusCode()).isEqualTo(200);
		assertThat(answer.body()).contains("Check your email");
		assertThat(meters.counter("berth_signup_submissions_total", "outcome", "honeypot").count()).isEqualTo(before + 1);
		Thread.sleep(2000);
		assertThat(SignupSupport.mailTo(email)).isEmpty();
		assertThat(jdbc.sql("select count(*) from signup_link where email = ?").param(email).query(Long.class).single())
			.isZero();
		assertThat(berthsLines(output)).contains("signup dropped: honeypot filled, client 127.0.0.13").doesNotContain(email);
	}

	@Test
	void aSixthSubmissionFromOneAddressIs429WithRetryAfter() {
		Browser browser = new Browser("127.0.0.14");
		for (int i = 0; i < 5; i++) {
			String email = Admin.uniqueName("su-many") + "@people.test";
			assertThat(browser.signUp(email, Admin.uniqueName("su-many"), Map.of()).statusCode()).isEqualTo(200);
		}
		String sixth = Admin.uniqueName("su-many") + "@people.test";
		HttpResponse<String> refused = browser.signUp(sixth, Admin.uniqueName("su-many"), Map.of());
		assertThat(refused.statusCode()).isEqualTo(429);
		long retryAfter = Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
		assertThat(retryAfter).isBetween(3000L, 3601L);
		assertThat(refused.body()).contains("Too many attempts");
		assertThat(jdbc.sql("select count(*) from signup_link where email = ?").param(sixth).query(Long.class).single())
			.isZero();
		// another address is not held back by this one
		assertThat(new Browser("127.0.0.15").signUp(sixth, Admin.uniqueName("su-many"), Map.of()).statusCode())
			.isEqualTo(200);
	}

	@Test
	void aSixthSubmissionForOneEmailIs429FromAnyAddress() {
		String email = Admin.uniqueName("su-same") + "@people.test";
		for (int i = 0; i < 5; i++) {
			assertThat(new Browser("127.0.1." + (10 + i)).signUp(email, Admin.uniqueName("su-same"), Map.of()).statusCode())
				.isEqualTo(200);
		}
		HttpResponse<String> refused = new Browser("127.0.1.20").signUp(email.toUpperCase(java.util.Locale.ROOT),
				Admin.uniqueName("su-same"), Map.of());
		assertThat(refused.statusCode()).isEqualTo(429);
		assertThat(refused.headers().firstValue("Retry-After")).isPresent();
	}

	@Test
	void anExpiredLinkIs410AndCreatesNothing() {
		String name = Admin.uniqueName("su-late");
		String email = name + "@people.test";
		Browser browser = new Browser("127.0.0.16");
		browser.signUp(email, name, Map.of());
		String link = SignupSupport.linkMailedTo(email);
		HttpResponse<String> confirm = browser.get(link);
		assertThat(confirm.statusCode()).isEqualTo(200);
		// 31 minutes later
		jdbc.sql("update signup_link set expires_at = now() - interval '1 minute' where token_hash = ?")
			.param(SignupLinks.hash(token(link)))
			.update();
		assertThat(browser.get(link).statusCode()).isEqualTo(410);
		HttpResponse<String> late = browser.post("/signup/confirm", confirm.body(), Map.of("token", token(link), "name", name),
				true);
		assertThat(late.statusCode()).isEqualTo(410);
		assertThat(late.body()).contains("This link no longer works");
		assertThat(admin.call("GET", "/api/v1/tenants/" + name, null).status()).isEqualTo(404);
	}

	@Test
	void aFormWithoutItsCsrfTokenIs403AndSendsNothing() throws InterruptedException {
		String name = Admin.uniqueName("su-csrf");
		String email = name + "@people.test";
		Browser browser = new Browser("127.0.0.17");
		HttpResponse<String> form = browser.get("/signup");
		HttpResponse<String> forged = browser.post("/signup", form.body(),
				Map.of("email", email, "name", name, "terms", "yes", "website", ""), false);
		assertThat(forged.statusCode()).isEqualTo(403);
		// a token from another browser's page does not match this browser's cookie either
		HttpResponse<String> otherPage = new Browser("127.0.0.18").get("/signup");
		HttpResponse<String> foreign = browser.post("/signup", "",
				Map.of("_csrf", Browser.csrfOf(otherPage.body()), "email", email, "name", name, "terms", "yes"), false);
		assertThat(foreign.statusCode()).isEqualTo(403);
		Thread.sleep(2000);
		assertThat(SignupSupport.mailTo(email)).isEmpty();
	}

	@Test
	void invalidFieldsComeBackWithTheAdminApisRulesAndTheLiveCheckUsesThemToo() {
		Browser browser = new Browser("127.0.0.19");
		HttpResponse<String> answer = browser.signUp("not-an-email", "admin", Map.of("terms", ""));
		assertThat(answer.statusCode()).isEqualTo(400);
		assertThat(answer.body()).contains("enter an email address").contains("is reserved by the platform")
			.contains("accept the terms");
		assertThat(browser.get("/signup/name?value=admin").body()).contains("\"valid\":false").contains("reserved");
		assertThat(browser.get("/signup/name?value=Bad_Name").body()).contains("\"valid\":false");
		assertThat(browser.get("/signup/name?value=" + Admin.uniqueName("fine")).body()).contains("\"valid\":true");
	}

	@Test
	void thePagesReachBerthWhateverTheHostAndDockerPathsStillReachTheEngine() throws Exception {
		var http = java.net.http.HttpClient.newHttpClient();
		var signup = http.send(java.net.http.HttpRequest.newBuilder(
				java.net.URI.create("http://127.0.0.1:" + SignupSupport.PORT + "/signup/signup.css")).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(signup.statusCode()).isEqualTo(200);
		assertThat(signup.headers().firstValue("Content-Type").orElse("")).startsWith("text/css");
		// no key at all: Berth's own page, never an engine's 401
		assertThat(new Browser("127.0.0.20").get("/signup").body()).contains("<label for=\"email\">Email</label>");
		var tenant = admin.newTenant("su-docker");
		var version = http.send(java.net.http.HttpRequest.newBuilder(
				java.net.URI.create("http://127.0.0.1:" + SignupSupport.PORT + "/v1.41/version"))
			.header("Authorization", "Bearer " + tenant.key())
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(version.statusCode()).isEqualTo(200);
		assertThat(version.body()).contains("ApiVersion");
	}

	/** The log without the lines of the test's own SMTP server (GreenMail logs each recipient). */
	static String berthsLines(CapturedOutput output) {
		return output.getAll().lines().filter(line -> !line.contains("c.icegreen.greenmail")).reduce("", (a, b) -> a + b + "\n");
	}

	static String token(String link) {
		return link.substring(link.indexOf("token=") + 6);
	}

	static String href(String page, String id) {
		Matcher href = Pattern.compile("id=\"" + id + "\" href=\"([^\"]+)\"").matcher(page);
		assertThat(href.find()).as("link %s", id).isTrue();
		return href.group(1);
	}

	static Set<String> entries(byte[] zip) throws IOException {
		Set<String> names = new HashSet<>();
		try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
			for (ZipEntry entry; (entry = in.getNextEntry()) != null;) {
				names.add(entry.getName());
			}
		}
		return names;
	}


}
