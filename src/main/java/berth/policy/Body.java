package berth.policy;

/** What an endpoint accepts as a request body. */
public enum Body {

	/** No body: a non-empty one is refused. */
	NONE,
	/** A small JSON document, read whole, parsed like the engine, checked and re-serialised. */
	JSON,
	/** A stream (tar contexts, archives, image tarballs), relayed untouched. */
	STREAM

}
