package berth.account;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

class KeyFormatTest {

	@Test
	void keysAreDnsLabelsLongerThanAnyTenantName() {
		String key = KeyFormat.compose(KeyFormat.randomId(), KeyFormat.randomSecret());
		assertThat(key).matches("[a-z0-9]{1,63}").hasSizeGreaterThan(40);
		assertThat(KeyFormat.looksLikeKey(key)).isTrue();
		assertThat(Tenant.isValidName(key)).as("a key is never a valid tenant name").isFalse();
	}

	@Test
	void secretsCarryAtLeast128RandomBits() {
		// 32 characters of a 32-letter alphabet: 160 bits; and no two alike in many draws
		Set<String> seen = new HashSet<>();
		for (int i = 0; i < 10_000; i++) {
			assertThat(seen.add(KeyFormat.randomSecret())).isTrue();
		}
		assertThat(KeyFormat.SECRET_LENGTH * 5).isGreaterThanOrEqualTo(128);
	}

	@Test
	void parseSplitsIdAndSecretAndRejectsOtherShapes() {
		String id = KeyFormat.randomId();
		String secret = KeyFormat.randomSecret();
		var parsed = KeyFormat.parse(KeyFormat.compose(id, secret)).orElseThrow();
		assertThat(parsed.id()).isEqualTo(id);
		assertThat(parsed.secret()).isEqualTo(secret);
		assertThat(KeyFormat.parse("acme")).isEmpty();
		assertThat(KeyFormat.parse(KeyFormat.compose(id, secret).toUpperCase())).isEmpty();
		assertThat(KeyFormat.parse(KeyFormat.compose(id, secret) + "a")).isEmpty();
		assertThat(KeyFormat.parse("bk" + "1".repeat(42))).as("1 is not in the alphabet").isEmpty();
		assertThat(KeyFormat.parse("bk" + "8".repeat(42))).as("8 is not in the alphabet").isEmpty();
		assertThat(KeyFormat.parse("bk" + "a".repeat(41) + "-")).isEmpty();
		assertThat(KeyFormat.parse("kb" + "a".repeat(42))).isEmpty();
		assertThat(KeyFormat.parse("bk" + "7".repeat(42))).isPresent();
	}

	@Test
	void onlyTheRightSecretMatchesItsHash() {
		String secret = KeyFormat.randomSecret();
		byte[] stored = KeyFormat.hash(secret);
		assertThat(KeyFormat.matches(secret, stored)).isTrue();
		assertThat(KeyFormat.matches(KeyFormat.randomSecret(), stored)).isFalse();
		assertThat(stored).hasSize(32).isNotEqualTo(secret.getBytes());
		// SHA-256 of "abc" (FIPS 180-2 test vector), twice: each hash starts from a fresh digest
		for (int i = 0; i < 2; i++) {
			assertThat(java.util.HexFormat.of().formatHex(KeyFormat.hash("abc")))
				.isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
		}
	}

}
