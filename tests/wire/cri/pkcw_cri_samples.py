"""Models with every field set, and a runtime plugin that records what reaches it.

The round-trip tests send these through CriClientPlugin -> CRI -> serve_cri
-> the runtime layer -> :class:`RecordingRuntime` and back: each must arrive,
and come back, equal.
"""

from __future__ import annotations

import podkit
from podkit.models.runtime import (
    AuthConfig,
    Capability,
    CDIDevice,
    Container,
    ContainerAttributes,
    ContainerConfig,
    ContainerMetadata,
    ContainerResources,
    ContainerState,
    ContainerStats,
    ContainerStatus,
    ContainerStatusResponse,
    ContainerUser,
    CpuUsage,
    Device,
    DNSConfig,
    ExecSyncResponse,
    FilesystemIdentifier,
    FilesystemUsage,
    HugepageLimit,
    IDMapping,
    Image,
    ImageFsInfoResponse,
    ImageSpec,
    ImageStatusResponse,
    IoUsage,
    KeyValue,
    LinuxContainerConfig,
    LinuxContainerResources,
    LinuxContainerSecurityContext,
    LinuxContainerUser,
    LinuxPodSandboxConfig,
    LinuxPodSandboxStatus,
    LinuxSandboxSecurityContext,
    MemoryUsage,
    Mount,
    MountPropagation,
    Namespace,
    NamespaceMode,
    NamespaceOption,
    PodIP,
    PodSandbox,
    PodSandboxConfig,
    PodSandboxMetadata,
    PodSandboxNetworkStatus,
    PodSandboxState,
    PodSandboxStatus,
    PodSandboxStatusResponse,
    PortMapping,
    ProfileType,
    Protocol,
    PsiData,
    PsiStats,
    RuntimeCondition,
    RuntimeFeatures,
    RuntimeHandler,
    RuntimeHandlerFeatures,
    RuntimeStatus,
    SecurityProfile,
    SELinuxOption,
    Signal,
    StatusResponse,
    SupplementalGroupsPolicy,
    SwapUsage,
    UserNamespace,
    VersionResponse,
)

HANDLER = "pkcw-recorder"
SANDBOX_ID = "pkcw-sandbox-" + "a" * 51
CONTAINER_ID = "pkcw-container-" + "b" * 49
IMAGE_ID = "sha256:" + "c" * 64

RESOURCES = LinuxContainerResources(
    cpu_period=100_000,
    cpu_quota=50_000,
    cpu_shares=512,
    memory_limit_in_bytes=64 << 20,
    oom_score_adj=-999,
    cpuset_cpus="0-1",
    cpuset_mems="0",
    hugepage_limits=(HugepageLimit(page_size="2MB", limit=4 << 20),),
    unified={"memory.high": "60000000"},
    memory_swap_limit_in_bytes=128 << 20,
)
IMAGE = ImageSpec(
    image="127.0.0.1:5000/pkcw/busybox:latest",
    annotations={"pkcw/a": "1"},
    user_specified_image="pkcw/busybox",
    runtime_handler=HANDLER,
    image_ref=IMAGE_ID,
)
SELINUX = SELinuxOption(user="u", role="r", type="t", level="s0")
IDMAP = IDMapping(host_id=100_000, container_id=0, length=65_536)
SANDBOX_CONFIG = PodSandboxConfig(
    metadata=PodSandboxMetadata(name="pkcw-pod", uid="pkcw-uid", namespace="pkcw-ns", attempt=3),
    hostname="pkcw-host",
    log_directory="/var/log/pods/pkcw",
    dns_config=DNSConfig(servers=("10.0.0.10",), searches=("pkcw.svc",), options=("ndots:5",)),
    port_mappings=(
        PortMapping(protocol=Protocol.SCTP, container_port=80, host_port=8080, host_ip="127.0.0.1"),
        PortMapping(protocol=Protocol.UDP, container_port=53),
    ),
    labels={"app": "pkcw"},
    annotations={"pkcw/anno": "yes"},
    linux=LinuxPodSandboxConfig(
        cgroup_parent="kubepods/pkcw",
        security_context=LinuxSandboxSecurityContext(
            namespace_options=NamespaceOption(
                network=NamespaceMode.NODE,
                pid=NamespaceMode.CONTAINER,
                ipc=NamespaceMode.POD,
                userns_options=UserNamespace(mode=NamespaceMode.POD, uids=(IDMAP,), gids=(IDMAP,)),
            ),
            selinux_options=SELINUX,
            run_as_user=0,
            run_as_group=0,
            readonly_rootfs=True,
            supplemental_groups=(10, 20),
            supplemental_groups_policy=SupplementalGroupsPolicy.STRICT,
            privileged=True,
            seccomp=SecurityProfile(),
            apparmor=SecurityProfile(profile_type=ProfileType.LOCALHOST, localhost_ref="pkcw"),
        ),
        sysctls={"net.ipv4.ip_forward": "1"},
        overhead=LinuxContainerResources(cpu_shares=2),
        resources=RESOURCES,
    ),
)
CONTAINER_CONFIG = ContainerConfig(
    metadata=ContainerMetadata(name="pkcw-c", attempt=1),
    image=IMAGE,
    command=("sh", "-c"),
    args=("echo hi",),
    working_dir="/work",
    envs=(KeyValue("A", "1"), KeyValue("RAW", "caf\udce9")),
    mounts=(
        Mount(
            container_path="/data",
            host_path="/srv/pkcw",
            readonly=True,
            selinux_relabel=True,
            uid_mappings=(IDMAP,),
            gid_mappings=(IDMAP,),
            recursive_read_only=True,
            mount_options=("noexec",),
        ),
        Mount(
            container_path="/img",
            image=ImageSpec(image="pkcw/data:1"),
            image_sub_path="sub",
            propagation=MountPropagation.PROPAGATION_BIDIRECTIONAL,
        ),
    ),
    devices=(Device(container_path="/dev/x", host_path="/dev/null", permissions="rwm"),),
    labels={"c": "1"},
    annotations={"pkcw/c": "2"},
    log_path="pkcw-c/1.log",
    stdin=True,
    stdin_once=True,
    tty=True,
    linux=LinuxContainerConfig(
        resources=RESOURCES,
        security_context=LinuxContainerSecurityContext(
            capabilities=Capability(
                add_capabilities=("NET_ADMIN",),
                drop_capabilities=("ALL",),
                add_ambient_capabilities=("NET_RAW",),
            ),
            privileged=False,
            namespace_options=NamespaceOption(pid=NamespaceMode.TARGET, target_id=CONTAINER_ID),
            selinux_options=SELINUX,
            run_as_username="nobody",
            run_as_group=65534,
            readonly_rootfs=True,
            supplemental_groups=(5,),
            no_new_privs=True,
            masked_paths=("/proc/kcore",),
            readonly_paths=("/proc/sys",),
            seccomp=SecurityProfile(profile_type=ProfileType.UNCONFINED),
            apparmor=SecurityProfile(),
        ),
    ),
    cdi_devices=(CDIDevice("vendor.com/gpu=0"),),
    stop_signal=Signal.SIGNAL_SIGRTMINPLUS3,
)
VERSION = VersionResponse(
    version="0.1.0", runtime_name="pkcw", runtime_version="9.9", runtime_api_version="v1"
)
STATUS = StatusResponse(
    status=RuntimeStatus(
        conditions=(
            RuntimeCondition(type="RuntimeReady", status=True),
            RuntimeCondition(type="NetworkReady", status=False, reason="R", message="M"),
        )
    ),
    info={"config": "{}"},
    runtime_handlers=(
        RuntimeHandler(
            name=HANDLER,
            features=RuntimeHandlerFeatures(recursive_read_only_mounts=True, user_namespaces=True),
        ),
    ),
    features=RuntimeFeatures(
        supplemental_groups_policy=True, user_namespaces_host_network=True, mount_options=True
    ),
)
CONTAINER_STATUS = ContainerStatus(
    id=CONTAINER_ID,
    metadata=CONTAINER_CONFIG.metadata,
    state=ContainerState.CONTAINER_EXITED,
    created_at=1,
    started_at=2,
    finished_at=3,
    exit_code=-9,
    image=IMAGE,
    image_ref=IMAGE_ID,
    reason="OOMKilled",
    message="pkcw",
    labels={"c": "1"},
    annotations={"pkcw/c": "2"},
    mounts=CONTAINER_CONFIG.mounts,
    log_path="/var/log/pods/pkcw/pkcw-c/1.log",
    resources=ContainerResources(linux=RESOURCES),
    image_id=IMAGE_ID,
    user=ContainerUser(linux=LinuxContainerUser(uid=1, gid=2, supplemental_groups=(3, 4))),
    stop_signal=Signal.SIGNAL_SIGTERM,
)
SANDBOX_STATUS = PodSandboxStatusResponse(
    status=PodSandboxStatus(
        id=SANDBOX_ID,
        metadata=SANDBOX_CONFIG.metadata,
        state=PodSandboxState.SANDBOX_NOTREADY,
        created_at=1_700_000_000_000_000_001,
        network=PodSandboxNetworkStatus(ip="10.1.2.3", additional_ips=(PodIP("fd00::3"),)),
        linux=LinuxPodSandboxStatus(
            namespaces=Namespace(options=SANDBOX_CONFIG.linux.security_context.namespace_options)
        ),
        labels=SANDBOX_CONFIG.labels,
        annotations=SANDBOX_CONFIG.annotations,
        runtime_handler=HANDLER,
    ),
    info={"pid": "1"},
    containers_statuses=(CONTAINER_STATUS,),
    timestamp=5,
)
SANDBOX = PodSandbox(
    id=SANDBOX_ID,
    metadata=SANDBOX_CONFIG.metadata,
    state=PodSandboxState.SANDBOX_READY,
    created_at=7,
    labels={"app": "pkcw"},
    annotations={"pkcw/anno": "yes"},
    runtime_handler=HANDLER,
)
CONTAINER = Container(
    id=CONTAINER_ID,
    pod_sandbox_id=SANDBOX_ID,
    metadata=CONTAINER_CONFIG.metadata,
    image=IMAGE,
    image_ref=IMAGE_ID,
    state=ContainerState.CONTAINER_RUNNING,
    created_at=8,
    labels={"c": "1"},
    annotations={"pkcw/c": "2"},
    image_id=IMAGE_ID,
)
PSI = PsiStats(
    full=PsiData(total=1, avg10=0.5, avg60=0.25, avg300=0.125),
    some=PsiData(total=2, avg10=1.5, avg60=1.25, avg300=1.125),
)
FS_USAGE = FilesystemUsage(
    timestamp=9, fs_id=FilesystemIdentifier("/var/lib/pkcw"), used_bytes=0, inodes_used=12
)
STATS = ContainerStats(
    attributes=ContainerAttributes(
        id=CONTAINER_ID, metadata=CONTAINER_CONFIG.metadata, labels={"c": "1"}, annotations={}
    ),
    cpu=CpuUsage(timestamp=1, usage_core_nano_seconds=0, usage_nano_cores=None, psi=PSI),
    memory=MemoryUsage(
        timestamp=2,
        working_set_bytes=3,
        available_bytes=4,
        usage_bytes=5,
        rss_bytes=6,
        page_faults=7,
        major_page_faults=8,
        psi=PSI,
    ),
    writable_layer=FS_USAGE,
    swap=SwapUsage(timestamp=3, swap_available_bytes=None, swap_usage_bytes=0),
    io=IoUsage(timestamp=4, psi=PSI),
)
EXEC = ExecSyncResponse(stdout=b"out\xff", stderr=b"err", exit_code=3)
IMAGE_RECORD = Image(
    id=IMAGE_ID,
    repo_tags=("pkcw/busybox:latest",),
    repo_digests=("pkcw/busybox@sha256:" + "d" * 64,),
    size=1234,
    uid=0,
    spec=IMAGE,
    pinned=True,
)
IMAGE_BY_NAME = Image(id="sha256:" + "e" * 64, username="daemon")
IMAGE_STATUS = ImageStatusResponse(image=IMAGE_RECORD, info={"info": "{}"})
FS_INFO = ImageFsInfoResponse(image_filesystems=(FS_USAGE,), container_filesystems=(FS_USAGE,))
AUTH = AuthConfig(
    username="pkcw",
    password="secret",  # noqa: S106 - a test credential
    auth="YXV0aA==",
    server_address="127.0.0.1:5000",
    identity_token="id",  # noqa: S106 - a test credential
    registry_token="reg",  # noqa: S106 - a test credential
)


@podkit.answers_for(HANDLER)
class RecordingRuntime:
    """Records each hook's arguments under the hook's name; answers the samples."""

    def __init__(self) -> None:
        self.calls: dict[str, dict[str, object]] = {}
        #: Set to make ``Status`` fail as a buggy plugin would.
        self.broken = False

    def _record(self, hook: str, **kwargs: object) -> None:
        self.calls[hook] = kwargs

    def runtime_version(self, version):
        self._record("version", version=version)
        return VERSION

    def runtime_status(self, verbose):
        self._record("status", verbose=verbose)
        if self.broken:
            msg = "pkcw"
            raise ZeroDivisionError(msg)
        return STATUS

    def runtime_run_pod_sandbox(self, handler, config):
        self._record("run_pod_sandbox", handler=handler, config=config)
        return SANDBOX_ID

    def runtime_stop_pod_sandbox(self, pod_sandbox_id):
        self._record("stop_pod_sandbox", pod_sandbox_id=pod_sandbox_id)
        return True

    def runtime_remove_pod_sandbox(self, pod_sandbox_id):
        self._record("remove_pod_sandbox", pod_sandbox_id=pod_sandbox_id)
        return True

    def runtime_pod_sandbox_status(self, pod_sandbox_id, verbose):
        self._record("pod_sandbox_status", pod_sandbox_id=pod_sandbox_id, verbose=verbose)
        return SANDBOX_STATUS

    def runtime_list_pod_sandbox(self, filter):  # noqa: A002 - the hook's name
        self._record("list_pod_sandbox", filter=filter)
        return (SANDBOX,)

    def runtime_create_container(self, pod_sandbox_id, config, sandbox_config):
        self._record(
            "create_container",
            pod_sandbox_id=pod_sandbox_id,
            config=config,
            sandbox_config=sandbox_config,
        )
        return CONTAINER_ID

    def runtime_start_container(self, container_id):
        self._record("start_container", container_id=container_id)
        return True

    def runtime_stop_container(self, container_id, timeout):
        self._record("stop_container", container_id=container_id, timeout=timeout)
        return True

    def runtime_remove_container(self, container_id):
        self._record("remove_container", container_id=container_id)
        return True

    def runtime_container_status(self, container_id, verbose):
        self._record("container_status", container_id=container_id, verbose=verbose)
        return ContainerStatusResponse(status=CONTAINER_STATUS, info={"pid": "42"})

    def runtime_list_containers(self, filter):  # noqa: A002 - the hook's name
        self._record("list_containers", filter=filter)
        return (CONTAINER,)

    def runtime_exec_sync(self, container_id, cmd, timeout):
        self._record("exec_sync", container_id=container_id, cmd=cmd, timeout=timeout)
        return EXEC

    def runtime_update_container_resources(self, container_id, linux, annotations):
        self._record(
            "update_container_resources",
            container_id=container_id,
            linux=linux,
            annotations=dict(annotations),
        )
        return True

    def runtime_reopen_container_log(self, container_id):
        self._record("reopen_container_log", container_id=container_id)
        return True

    def runtime_container_stats(self, container_id):
        self._record("container_stats", container_id=container_id)
        return STATS

    def runtime_list_container_stats(self, filter):  # noqa: A002 - the hook's name
        self._record("list_container_stats", filter=filter)
        return (STATS,)

    def runtime_pull_image(self, image, auth, sandbox_config):
        self._record("pull_image", image=image, auth=auth, sandbox_config=sandbox_config)
        return IMAGE_ID

    def runtime_list_images(self, filter):  # noqa: A002 - the hook's name
        self._record("list_images", filter=filter)
        return (IMAGE_RECORD, IMAGE_BY_NAME)

    def runtime_image_status(self, image, verbose):
        self._record("image_status", image=image, verbose=verbose)
        return IMAGE_STATUS

    def runtime_remove_image(self, image):
        self._record("remove_image", image=image)
        return True

    def runtime_image_fs_info(self):
        self._record("image_fs_info")
        return FS_INFO
