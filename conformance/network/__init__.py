"""The network conformance suite."""
