"""Intake's HTTP interface (docs/contract.md §HTTP): thin routes over the use cases."""
