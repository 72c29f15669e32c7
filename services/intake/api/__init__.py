"""Intake's HTTP interface (DESIGN.md B5): thin routes over the use cases."""
