"""The storage conformance suite."""
