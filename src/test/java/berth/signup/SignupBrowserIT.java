package berth.signup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import berth.signup.SignupSupport.Browser;
import berth.testing.Admin;
import berth.testing.DockerCli;

/**
 * A stranger's whole path in a real browser (Debian's Chromium, driven by Selenium through Debian's
 * chromedriver, so nothing is downloaded): the form, the email (GreenMail), the link, the page, the
 * downloaded context, and the commands the page shows, run as they are by the real docker CLI
 * through Berth over TLS. Each page is saved as a PNG under {@code target/signup-screenshots}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SignupBrowserIT extends SignupTests {

	static final Path SCREENSHOTS = Paths.get("target", "signup-screenshots");

	static final String BASE = "http://127.0.0.1:" + SignupSupport.PORT;

	final DockerCli engine = DockerCli.engine();

	ChromeDriver chrome;

	Path downloads;

	Path profile;

	String tenant;

	@BeforeAll
	void chromium() throws IOException {
		Files.createDirectories(SCREENSHOTS);
		downloads = Files.createTempDirectory("signup-downloads");
		profile = Files.createTempDirectory("signup-chromium");
		ChromeOptions options = new ChromeOptions();
		options.setBinary("/usr/bin/chromium");
		options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
				"--disable-background-networking", "--disable-component-update", "--no-first-run",
				"--user-data-dir=" + profile);
		options.setExperimentalOption("prefs", Map.of("download.default_directory", downloads.toString(),
				"download.prompt_for_download", false));
		// the driver's path is given, so Selenium Manager (which would download one) is never asked
		ChromeDriverService service = new ChromeDriverService.Builder()
			.usingDriverExecutable(new File("/usr/bin/chromedriver"))
			.usingAnyFreePort()
			.build();
		chrome = new ChromeDriver(service, options);
		// a phone: 412 CSS pixels wide
		chrome.manage().window().setSize(new Dimension(412, 915));
	}

	@AfterAll
	void closeAndClean() {
		if (chrome != null) {
			chrome.quit();
		}
		if (tenant != null) {
			engine.removeOwnedBy(tenant);
		}
	}

	@Test
	void aStrangerSignsUpAndRunsAContainerOverTlsWithWhatThePageGave() throws IOException {
		tenant = Admin.uniqueName("web");
		String email = tenant + "@people.test";

		chrome.get(BASE + "/signup");
		assertThat(chrome.getTitle()).isEqualTo("Sign up · Berth");
		// the live check: the admin API's rules, as the person types
		chrome.findElement(By.id("name")).sendKeys("admin");
		wait(10).until(ExpectedConditions.textToBePresentInElementLocated(By.id("name-error"), "reserved"));
		assertThat(chrome.findElement(By.id("name")).getAttribute("aria-invalid")).isEqualTo("true");
		screenshot("1-form-live-check");
		// every field has its label, and the honeypot is out of the focus order
		for (String field : List.of("email", "name", "terms")) {
			assertThat(chrome.findElements(By.cssSelector("label[for=" + field + "]"))).hasSize(1);
		}
		assertThat(chrome.findElement(By.id("website")).getAttribute("tabindex")).isEqualTo("-1");

		chrome.findElement(By.id("name")).clear();
		chrome.findElement(By.id("name")).sendKeys(tenant);
		chrome.findElement(By.id("email")).sendKeys(email);
		chrome.findElement(By.id("terms")).click();
		chrome.findElement(By.cssSelector("#signup button[type=submit]")).click();
		wait(10).until(ExpectedConditions.titleIs("Check your email · Berth"));
		screenshot("2-sent");

		String link = SignupSupport.linkMailedTo(email);
		chrome.get(link);
		assertThat(chrome.getTitle()).isEqualTo("Create your tenant · Berth");
		screenshot("3-confirm");
		chrome.findElement(By.cssSelector("#confirm button[type=submit]")).click();
		wait(30).until(ExpectedConditions.titleIs("Welcome · Berth"));
		assertThat(chrome.findElement(By.id("docker-host")).getText()).isEqualTo("tcp://localhost:" + SignupSupport.TLS_PORT);
		assertThat(chrome.findElement(By.id("ca-fingerprint")).getText()).matches("[0-9A-F]{2}(:[0-9A-F]{2}){31}");
		assertThat(chrome.findElement(By.id("not-after")).getText()).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC");
		assertThat(chrome.findElement(By.id("api-key")).getText()).matches("bk[a-z2-7]{42}");
		screenshot("4-welcome-phone");
		chrome.manage().window().setSize(new Dimension(1280, 1100));
		screenshot("4-welcome-desktop");
		chrome.manage().window().setSize(new Dimension(412, 915));
		String commands = chrome.findElement(By.id("commands")).getText();
		assertThat(commands).startsWith("unset DOCKER_HOST DOCKER_TLS_VERIFY DOCKER_CERT_PATH\n");

		chrome.findElement(By.id("download-context")).click();
		Path context = downloads.resolve(tenant + ".dockercontext.zip");
		Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> Files.isRegularFile(context)
				&& Files.size(context) > 0 && !Files.exists(downloads.resolve(tenant + ".dockercontext.zip.crdownload")));

		// the page's commands as they are, where the file was saved, with a stale DOCKER_HOST in the
		// environment (the first line removes it) and a DOCKER_CONFIG of this test's own
		String run = commands.lines()
			.filter(line -> !line.startsWith("docker compose"))
			.map(line -> line.replace("echo hello", "echo hi"))
			.reduce((a, b) -> a + " && " + b)
			.orElseThrow();
		DockerCli shell = new DockerCli("tcp://127.0.0.1:1", null);
		shell.env("DOCKER_TLS_VERIFY", "1");
		DockerCli.Result result = shell.exec(null, Duration.ofMinutes(2), "/bin/bash", "-c",
				"cd " + downloads + " && " + run);
		assertThat(result.exitCode()).as("%s\nout: %s\nerr: %s", run, result.out(), result.err()).isZero();
		assertThat(result.out()).endsWith("hi\n");
		DockerCli.Result explicit = shell.docker("--context", tenant, "run", "--rm", "busybox", "echo", "hi");
		assertThat(explicit.exitCode()).as(explicit.err()).isZero();
		assertThat(explicit.out()).isEqualTo("hi\n");
		// the context holds only the certificate: no key anywhere in the CLI's configuration
		assertThat(Files.readString(shell.configDir().resolve("config.json"))).doesNotContain("bk");

		// the same download link again: spent
		String href = chrome.findElement(By.id("download-context")).getAttribute("href");
		assertThat(new Browser("127.0.3.1").getBytes(href.substring(BASE.length())).statusCode()).isEqualTo(410);

		// the emailed link again: spent
		chrome.get(link);
		assertThat(chrome.getTitle()).isEqualTo("Link expired · Berth");
		screenshot("5-link-spent");
	}

	@Test
	void aNameTakenMeanwhileIsPickedAgainOnThePage() {
		String wanted = Admin.uniqueName("web-taken");
		String email = wanted + "@people.test";
		chrome.get(BASE + "/signup");
		chrome.findElement(By.id("email")).sendKeys(email);
		chrome.findElement(By.id("name")).sendKeys(wanted);
		chrome.findElement(By.id("terms")).click();
		chrome.findElement(By.cssSelector("#signup button[type=submit]")).click();
		wait(10).until(ExpectedConditions.titleIs("Check your email · Berth"));
		String link = SignupSupport.linkMailedTo(email);
		// someone else gets the name between the form and the link
		new Admin(SignupSupport.PORT).call("POST", "/api/v1/tenants", Map.of("name", wanted, "email", "other@people.test"));

		chrome.get(link);
		chrome.findElement(By.cssSelector("#confirm button[type=submit]")).click();
		wait(10).until(ExpectedConditions.textToBePresentInElementLocated(By.id("name-error"), "taken meanwhile"));
		assertThat(chrome.switchTo().activeElement().getAttribute("id")).as("focus on the name to change").isEqualTo("name");
		screenshot("8-name-taken");
		String other = Admin.uniqueName("web-other");
		chrome.findElement(By.id("name")).clear();
		chrome.findElement(By.id("name")).sendKeys(other);
		chrome.findElement(By.cssSelector("#confirm button[type=submit]")).click();
		wait(30).until(ExpectedConditions.titleIs("Welcome · Berth"));
		assertThat(chrome.findElement(By.tagName("h1")).getText()).contains(other);
		engine.removeOwnedBy(other);
	}

	@Test
	void theRateLimitPageInTheBrowser() {
		String email = Admin.uniqueName("web-many") + "@people.test";
		for (int i = 0; i < 5; i++) {
			new Browser("127.0.4." + (10 + i)).signUp(email, Admin.uniqueName("web-many"), Map.of());
		}
		chrome.get(BASE + "/signup");
		chrome.findElement(By.id("email")).sendKeys(email);
		chrome.findElement(By.id("name")).sendKeys(Admin.uniqueName("web-many"));
		chrome.findElement(By.id("terms")).click();
		chrome.findElement(By.cssSelector("#signup button[type=submit]")).click();
		wait(10).until(ExpectedConditions.titleIs("Too many attempts · Berth"));
		screenshot("6-rate-limited");
	}

	@Test
	void invalidFieldsAreShownBesideTheirLabels() {
		chrome.get(BASE + "/signup");
		chrome.findElement(By.id("email")).sendKeys("nobody");
		chrome.findElement(By.id("name")).sendKeys("x");
		chrome.findElement(By.cssSelector("#signup button[type=submit]")).click();
		wait(10).until(ExpectedConditions.presenceOfElementLocated(By.id("email-error")));
		WebElement email = chrome.findElement(By.id("email"));
		assertThat(email.getAttribute("aria-invalid")).isEqualTo("true");
		assertThat(email.getAttribute("aria-describedby")).isEqualTo("email-error");
		assertThat(chrome.findElement(By.id("terms-error")).getText()).contains("accept the terms");
		screenshot("7-form-errors");
	}

	private WebDriverWait wait(int seconds) {
		return new WebDriverWait(chrome, Duration.ofSeconds(seconds));
	}

	private void screenshot(String name) {
		try {
			Files.copy(chrome.getScreenshotAs(OutputType.FILE).toPath(), SCREENSHOTS.resolve(name + ".png"),
					StandardCopyOption.REPLACE_EXISTING);
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

}
