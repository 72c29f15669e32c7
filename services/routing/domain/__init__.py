"""Routing's domain: units, routing rules and the pure routing decision. No I/O beyond reading files."""
