"""One service process: its infrastructure, lifecycle, HTTP app, entry point, settings, database and producer
handles, metrics, retries, clock and configuration errors."""
