package berth.policy;

/**
 * What a tenant's containers may use: per container memory, CPU and processes, a container count,
 * and how often a healthcheck may run (each run is an exec the whole engine pays for).
 *
 * @param healthcheckMinIntervalMs the shortest healthcheck interval, timeout and start interval
 * @param healthcheckMaxRetries the most retries a healthcheck may ask for
 */
public record Plan(String name, long memoryBytes, long nanoCpus, int pidsLimit, int maxContainers,
		long healthcheckMinIntervalMs, int healthcheckMaxRetries) {
}
