package berth.account;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TenantNamesTest {

	@ParameterizedTest
	@ValueSource(strings = { "acme", "a1b", "acme-corp", "x2-y3-z4", "abcdefghijabcdefghijabcdefghijabcdefghij" })
	void validNames(String name) {
		assertThat(Tenant.isValidName(name)).isTrue();
	}

	@ParameterizedTest
	@ValueSource(strings = { "ab", "-acme", "acme-", "Acme", "ac_me", "ac.me", "ac me", "a--b",
			"abcdefghijabcdefghijabcdefghijabcdefghijk", "" })
	void invalidNames(String name) {
		assertThat(Tenant.isValidName(name)).isFalse();
	}

	@ParameterizedTest
	@ValueSource(strings = { "ops@acme.test", "a.b+c@sub.example.org" })
	void validEmails(String email) {
		assertThat(Tenant.isValidEmail(email)).isTrue();
	}

	@ParameterizedTest
	@ValueSource(strings = { "ops", "ops@", "@acme.test", "ops@acme", "o ps@acme.test", "a@b@c.d" })
	void invalidEmails(String email) {
		assertThat(Tenant.isValidEmail(email)).isFalse();
	}

}
