package berth.teardown;

import java.util.List;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** Deleted tenants' teardowns, for the operator: what is still running, what keeps failing and why. */
@RestController
@RequestMapping("/api/v1/teardowns")
class TeardownController {

	private final Teardowns teardowns;

	TeardownController(Teardowns teardowns) {
		this.teardowns = teardowns;
	}

	@GetMapping
	Mono<List<Teardown>> list(@RequestParam(defaultValue = "false") boolean unfinished) {
		return Mono.fromCallable(() -> teardowns.list(unfinished)).subscribeOn(Schedulers.boundedElastic());
	}

	@GetMapping("/{name}")
	Mono<Teardown> get(@PathVariable String name) {
		return Mono.fromCallable(() -> teardowns.latest(name))
			.subscribeOn(Schedulers.boundedElastic())
			.flatMap(Mono::justOrEmpty)
			.switchIfEmpty(Mono.error(
					() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "no teardown of a tenant named '" + name + "'")));
	}

}
