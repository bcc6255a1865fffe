"""The runtime conformance suite: CRI ``runtime.v1`` behaviour, checked through CRI calls.

Run it with ``podkit conformance runtime --plugin NAME``. Each test is named
as a sentence and its docstring quotes the CRI rule (api.proto, or the
hookspec where it pins an error code) it checks, as critest does. The tests
reach the runtime only through the typed facade
``runtime_target.manager.runtime.<op>(handler, ...)``, so the same suite can
later test containerd or CRI-O through a CRI client.

- ``test_runtime_service``: Version, Status (RuntimeReady).
- ``test_sandboxes``: the sandbox state machine, idempotent stop and remove,
  ListPodSandbox filters.
- ``test_containers``: the container state machine, ListContainers filters,
  stats, concurrency; ``test_stop_container``: the stop signal, then SIGKILL.
- ``test_isolation``, ``test_pod_config``, ``test_container_config``: what a
  container sees: hostname, PID namespace, root filesystem, shared pod
  namespaces, DNS, sysctls, argv, user, mounts.
- ``test_exec``, ``test_logs``, ``test_limits``, ``test_images``: ExecSync, the
  CRI log format, memory/pids/CPU limits, the ImageService.

The suite passes against Debian's containerd 1.6 through the CRI client too;
where containerd keeps a CRI rule in its own way (an error code, a newer
field it predates), the tests accept both, as :mod:`._peers` lists.

The test image is a busybox built from the node's static busybox and pulled
with CRI PullImage from a registry the suite serves on 127.0.0.1
(:mod:`._registry`); :mod:`._pods` removes whatever a test made.
"""
