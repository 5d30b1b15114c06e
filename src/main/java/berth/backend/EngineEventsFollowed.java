package berth.backend;

/**
 * Berth (re)connected to an engine's event stream. Events that happened while it was not connected
 * are lost: whoever keeps state derived from them resynchronises now.
 */
public record EngineEventsFollowed(Engine engine) {
}
