package berth.backend;

/** A container's process ended on an engine: stopped, killed, or exited by itself. */
public record ContainerStopped(Engine engine, String containerId) {
}
