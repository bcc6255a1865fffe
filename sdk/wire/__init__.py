"""Wire adapters: podkit's contracts spoken over the real protocols (CRI, CNI, CSI)."""
