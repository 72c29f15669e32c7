"""Test helpers shared by every service's tests: real servers, per-test topics and databases."""
