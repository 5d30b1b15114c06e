package berth.backend;

import java.util.Map;

/**
 * A container started on an engine (seen on the engine's event stream, whoever started it).
 *
 * @param labels the container's labels as the engine reports them with the event
 */
public record ContainerStarted(Engine engine, String containerId, Map<String, String> labels) {
}
