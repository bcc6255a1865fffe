"""The runtime conformance suite."""
