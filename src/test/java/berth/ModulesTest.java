package berth;

import org.junit.jupiter.api.Test;
import org.springframework.modulith.core.ApplicationModules;

/** Each feature package is a module: others use only its top-level public types, and no cycles. */
class ModulesTest {

	@Test
	void moduleBoundariesHold() {
		ApplicationModules.of(BerthApplication.class).verify();
	}

}
