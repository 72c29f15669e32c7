"""One service process: runtime, HTTP app, entry point, settings, database pool, metrics, retries, clock."""
