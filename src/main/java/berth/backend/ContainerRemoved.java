package berth.backend;

/** A container was removed from an engine. */
public record ContainerRemoved(Engine engine, String containerId) {
}
