"""podkit's benchmarks, run on demand (``nox -s bench``), never in the test suite.

Each benchmark measures podkit side by side with its upstream peer on the
same machine, in the same run, and prints medians, p90s and their ratio:

- ``dispatch``: one plugin call, in-process hook versus CNI exec;
- ``runtime``: a container of ``/bin/true`` to running and to exit, against
  ``crun run`` and ``runc run``; memory per running container against
  containerd's shims;
- ``network``: CNI ADD and DEL of a bridge attachment, in-process and through
  ``podkit-cni``, against Debian's Go ``bridge``;
- ``storage``: hostpath NodePublish/NodeUnpublish and Secret projection,
  against the bare syscalls.
- ``cri``: pod start and teardown through CRI, ``podkit serve cri`` against
  containerd + runc + the Go bridge (same client, one at a time and 20 at
  once); the kubelet core in-process against the kubelet core on containerd;
  memory with 100 pods.

``python -m benchmarks --quick`` runs them with small counts (a smoke test,
``tests/benchmarks``). Every benchmark is bounded in count and time and
removes all it creates, also on Ctrl-C (:mod:`benchmarks._common`).
"""
