"""The reference plugins: runtime, network and storage (coming with their issues)."""
