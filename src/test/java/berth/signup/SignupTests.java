package berth.signup;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import berth.testing.BerthTest;

/** One Berth with signup open for the signup tests (one application context between them). */
@BerthTest
abstract class SignupTests {

	@DynamicPropertySource
	static void signup(DynamicPropertyRegistry registry) {
		SignupSupport.properties(registry);
	}

}
