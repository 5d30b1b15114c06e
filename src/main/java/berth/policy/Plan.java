package berth.policy;

/** What a tenant's containers may use: per container memory, CPU and processes, and a container count. */
public record Plan(String name, long memoryBytes, long nanoCpus, int pidsLimit, int maxContainers) {
}
