"""The console: officers' and the working group's pages under ``/console/``, and the citizens' public
status page under ``/status/`` (docs/console.md)."""
