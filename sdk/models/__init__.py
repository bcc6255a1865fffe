"""Models: frozen attrs classes for Kubernetes objects and the three contracts."""
