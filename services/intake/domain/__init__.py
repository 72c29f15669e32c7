"""Intake's domain: submissions, complaints, ids and the case lifecycle; pure, no I/O."""
