"""The network conformance suite: the CNI SPEC 1.1 rules, checked with real packets.

Run it three ways: ``podkit conformance network --plugin NAME`` (the
plugin's hooks, in-process), ``--plugin NAME --via-exec`` (through the
``podkit-cni`` executable, as a CNI runtime runs it) and ``--cni-path DIR
--target TYPE`` (upstream plugin binaries, e.g. Debian's ``/usr/lib/cni``).
Each test is named as a sentence, and its docstring names the SPEC rule it
checks. The tests reach the target only through the typed facade
``network_target.manager.network.<op>(...)``, so the three ways run the same
tests.

- ``test_version``: VERSION, and version negotiation (code 1).
- ``test_add``: the ADD result's shape in 0.4.0, 1.0.0 and 1.1.0 (those the
  target lists), and that it describes the pod as it is.
- ``test_connectivity``: ping from pod to gateway, pod to pod, ``lo``.
- ``test_check``, ``test_del``: CHECK after ADD and after tampering; DEL twice,
  without a namespace, after the namespace is gone.
- ``test_ipam``: 50 concurrent ADDs, release and reuse, GC, exhaustion.
- ``test_status``: STATUS (1.1.0).
- ``test_portmap``: a TCP connection from the host reaches ``nc`` in the pod.
- ``test_errors``: bad configurations and environments get the SPEC's codes.

Tests that attach a pod need a configuration for the type under test:
:mod:`._profiles` has them for ``bridge``, ``host-local``, ``loopback`` and
``portmap``; for other types those tests skip, saying so. They need root
and network namespaces; :mod:`._harness` and :mod:`._host` create pods as
``pkv-*`` namespaces on ``pkv*`` bridges and documentation addresses, and
remove everything at teardown.
"""
