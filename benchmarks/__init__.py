"""podkit's benchmarks, run on demand (``nox -s bench``), never in the test suite.

Each benchmark measures podkit side by side with its upstream peer on the
same machine and prints both figures and their ratio.
"""
