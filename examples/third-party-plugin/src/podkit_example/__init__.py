"""A template third-party podkit plugin package: one small plugin of each kind."""
