package berth.backend;

/** Berth lost an engine's event stream; it reconnects with backoff. */
public record EngineEventsLost(Engine engine, String reason) {
}
