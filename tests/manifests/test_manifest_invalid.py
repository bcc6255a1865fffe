"""Invalid manifests: each problem is reported at its field path, exactly worded."""

from __future__ import annotations

import copy
import re

import pytest
import yaml

from podkit import manifests
from podkit.cli import main
from podkit.errors import FieldError, ManifestError

DELETE = object()

POD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "web", "labels": {"app": "web"}},
    "spec": {
        "volumes": [{"name": "data", "emptyDir": {}}],
        "containers": [
            {
                "name": "app",
                "image": "busybox:1.36",
                "command": ["sleep", "3600"],
                "ports": [{"name": "http", "containerPort": 8080}],
                "volumeMounts": [{"name": "data", "mountPath": "/data"}],
            }
        ],
    },
}
SECRET = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"a": "eA=="}}
CONFIG_MAP = {
    "apiVersion": "v1",
    "kind": "ConfigMap",
    "metadata": {"name": "c"},
    "data": {"a": "x"},
}

C0 = "spec.containers[0]"
SECCOMP_TYPES = (
    'unsupported value "Strict": supported values: "RuntimeDefault", "Unconfined", "Localhost"'
)
LABEL = (
    "a DNS-1123 label must consist of lower case alphanumeric characters or '-', "
    "and must start and end with an alphanumeric character"
)
SUBDOMAIN = (
    "a DNS-1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
    "and must start and end with an alphanumeric character"
)
NAME_PART = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', "
    "and must start and end with an alphanumeric character"
)
CONFIG_KEY = "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"
PROBE_HANDLERS = 'must specify exactly one of "exec", "httpGet", "tcpSocket"'
HOOK_HANDLERS = 'must specify exactly one of "exec", "httpGet", "tcpSocket", "sleep"'
VOLUME_SOURCES = 'must specify exactly one of "hostPath", "emptyDir", "secret", "configMap", "csi"'
ENV_SOURCES = 'must specify exactly one of "fieldRef", "configMapKeyRef", "secretKeyRef"'
ID_RANGE = "must be between 0 and 2147483647, inclusive"
PORT_RANGE = "must be between 1 and 65535, inclusive"
IP = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
FIELD_PATHS = (
    '"metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", '
    '"spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", '
    '"status.podIPs"'
)


def patched(document, patches):
    """Copy a manifest and set (or, with DELETE, remove) values at field paths."""
    result = copy.deepcopy(document)
    for path, value in patches.items():
        tokens = [int(i) if i else key for key, i in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path)]
        parent = result
        for token in tokens[:-1]:
            parent = parent[token]
        if value is DELETE:
            del parent[tokens[-1]]
        else:
            parent[tokens[-1]] = value
    return result


def case(name, patches, *errors, base=POD):
    return pytest.param(patched(base, patches), list(errors), id=name)


CASES = [
    # metadata
    case("name missing", {"metadata.name": DELETE}, ("metadata.name", "required value")),
    case(
        "name not a subdomain",
        {"metadata.name": "My_Pod"},
        ("metadata.name", f'invalid value "My_Pod": {SUBDOMAIN}'),
    ),
    case(
        "namespace not a label",
        {"metadata.namespace": "Default"},
        ("metadata.namespace", f'invalid value "Default": {LABEL}'),
    ),
    case(
        "label key with a space",
        {"metadata.labels": {"bad key": "x"}},
        ("metadata.labels[bad key]", f'invalid value "bad key": {NAME_PART}'),
    ),
    case(
        "label value too long",
        {"metadata.labels.app": "v" * 64},
        ("metadata.labels.app", f'invalid value "{"v" * 64}": must be no more than 63 characters'),
    ),
    case(
        "annotations too large",
        {"metadata.annotations": {"a": "x" * 262144}},
        ("metadata.annotations", "must have at most 262144 bytes"),
    ),
    case(
        "generateName",
        {"metadata.generateName": "web-"},
        ("metadata.generateName", "field not supported by podkit"),
    ),
    # document
    case("unknown top-level field", {"extra": 1}, ("extra", 'unknown field "extra"')),
    case(
        "other apiVersion",
        {"apiVersion": "apps/v1"},
        ("apiVersion", 'unsupported value "apps/v1": supported values: "v1"'),
    ),
    case(
        "other kind",
        {"kind": "Deployment"},
        (
            "kind",
            'unsupported value "Deployment": supported kinds: "ConfigMap", "List", "Pod", "Secret"',
        ),
    ),
    case("kind missing", {"kind": DELETE}, ("kind", "required value")),
    case("spec not an object", {"spec": ["x"]}, ("spec", "expected object, got array")),
    case("spec missing", {"spec": DELETE}, ("spec", "required value")),
    # types
    case(
        "integer as a string",
        {f"{C0}.ports[0].containerPort": "abc"},
        (f"{C0}.ports[0].containerPort", 'expected integer, got string "abc"'),
    ),
    case(
        "integer as a float",
        {f"{C0}.ports[0].containerPort": 80.5},
        (f"{C0}.ports[0].containerPort", "expected integer, got number 80.5"),
    ),
    case(
        "list as a string",
        {f"{C0}.command": "sleep 1"},
        (f"{C0}.command", 'expected array, got string "sleep 1"'),
    ),
    case(
        "boolean as a string",
        {"spec.hostNetwork": "yes"},
        ("spec.hostNetwork", 'expected boolean, got string "yes"'),
    ),
    case(
        "string as an integer",
        {f"{C0}.env": [{"name": "N", "value": 5}]},
        (f"{C0}.env[0].value", "expected string, got integer 5"),
    ),
    case("null container", {"spec.containers": [None]}, (C0, "expected object, got null")),
    # containers
    case("containers missing", {"spec.containers": DELETE}, ("spec.containers", "required value")),
    case("containers empty", {"spec.containers": []}, ("spec.containers", "required value")),
    case(
        "unknown container field",
        {f"{C0}.imagePull": 1},
        (f"{C0}.imagePull", 'unknown field "imagePull"'),
    ),
    case("image missing", {f"{C0}.image": DELETE}, (f"{C0}.image", "required value")),
    case(
        "image with a trailing space",
        {f"{C0}.image": "busybox "},
        (f"{C0}.image", 'invalid value "busybox ": must not have leading or trailing whitespace'),
    ),
    case(
        "container name not a label",
        {f"{C0}.name": "App"},
        (f"{C0}.name", f'invalid value "App": {LABEL}'),
    ),
    case(
        "container name used by an init container",
        {"spec.initContainers": [{"name": "app", "image": "busybox"}]},
        (f"{C0}.name", 'duplicate value "app"'),
    ),
    case(
        "imagePullPolicy unknown",
        {f"{C0}.imagePullPolicy": "Sometimes"},
        (
            f"{C0}.imagePullPolicy",
            'unsupported value "Sometimes": supported values: "Always", "IfNotPresent", "Never"',
        ),
    ),
    case(
        "stdinOnce without stdin",
        {f"{C0}.stdinOnce": True},
        (f"{C0}.stdinOnce", "must be false when `stdin` is false"),
    ),
    case(
        "sidecar restartPolicy",
        {f"{C0}.restartPolicy": "Always"},
        (f"{C0}.restartPolicy", "field not supported by podkit"),
    ),
    # ports
    case(
        "containerPort missing",
        {f"{C0}.ports[0].containerPort": DELETE},
        (f"{C0}.ports[0].containerPort", "required value"),
    ),
    case(
        "containerPort out of range",
        {f"{C0}.ports[0].containerPort": 70000},
        (f"{C0}.ports[0].containerPort", f"invalid value 70000: {PORT_RANGE}"),
    ),
    case(
        "hostPort out of range",
        {f"{C0}.ports[0].hostPort": 65536},
        (f"{C0}.ports[0].hostPort", f"invalid value 65536: {PORT_RANGE}"),
    ),
    case(
        "protocol unknown",
        {f"{C0}.ports[0].protocol": "HTTP"},
        (
            f"{C0}.ports[0].protocol",
            'unsupported value "HTTP": supported values: "TCP", "UDP", "SCTP"',
        ),
    ),
    case(
        "port name not an IANA service name",
        {f"{C0}.ports[0].name": "HTTP"},
        (
            f"{C0}.ports[0].name",
            (
                'invalid value "HTTP": must contain only alpha-numeric characters (a-z, 0-9), '
                "and hyphens (-)"
            ),
        ),
        (f"{C0}.ports[0].name", 'invalid value "HTTP": must contain at least one letter (a-z)'),
    ),
    case(
        "port names repeated",
        {
            f"{C0}.ports": [
                {"name": "http", "containerPort": 80},
                {"name": "http", "containerPort": 81},
            ]
        },
        (f"{C0}.ports[1].name", 'duplicate value "http"'),
    ),
    case(
        "hostIP not an IP",
        {f"{C0}.ports[0].hostIP": "1.2.3"},
        (f"{C0}.ports[0].hostIP", f'invalid value "1.2.3": {IP}'),
    ),
    case(
        "hostPort differs from containerPort on the host network",
        {"spec.hostNetwork": True, f"{C0}.ports[0].hostPort": 9090},
        (
            f"{C0}.ports[0].hostPort",
            "invalid value 9090: must match `containerPort` when `hostNetwork` is true",
        ),
    ),
    # volume mounts
    case(
        "mount of a missing volume",
        {f"{C0}.volumeMounts[0].name": "missing"},
        (f"{C0}.volumeMounts[0].name", 'volume "missing" not found'),
    ),
    case(
        "mountPath missing",
        {f"{C0}.volumeMounts[0].mountPath": DELETE},
        (f"{C0}.volumeMounts[0].mountPath", "required value"),
    ),
    case(
        "mountPath relative",
        {f"{C0}.volumeMounts[0].mountPath": "data"},
        (f"{C0}.volumeMounts[0].mountPath", 'invalid value "data": must be an absolute path'),
    ),
    case(
        "subPath climbing out",
        {f"{C0}.volumeMounts[0].subPath": "a/../../etc"},
        (f"{C0}.volumeMounts[0].subPath", "invalid value \"a/../../etc\": must not contain '..'"),
    ),
    case(
        "subPath absolute",
        {f"{C0}.volumeMounts[0].subPath": "/etc"},
        (f"{C0}.volumeMounts[0].subPath", 'invalid value "/etc": must be a relative path'),
    ),
    case(
        "mountPath repeated",
        {
            f"{C0}.volumeMounts": [
                {"name": "data", "mountPath": "/d"},
                {"name": "data", "mountPath": "/d"},
            ]
        },
        (f"{C0}.volumeMounts[1].mountPath", 'duplicate value "/d"'),
    ),
    # resources
    case(
        "invalid quantity",
        {f"{C0}.resources": {"limits": {"memory": "64Q"}}},
        (f"{C0}.resources.limits.memory", 'invalid quantity "64Q"'),
    ),
    case(
        "quantity of the wrong type",
        {f"{C0}.resources": {"limits": {"cpu": True}}},
        (f"{C0}.resources.limits.cpu", "expected quantity, got boolean true"),
    ),
    case(
        "request above limit",
        {f"{C0}.resources": {"requests": {"cpu": "2"}, "limits": {"cpu": "500m"}}},
        (
            f"{C0}.resources.requests.cpu",
            'invalid value "2": must be less than or equal to cpu limit of 500m',
        ),
    ),
    case(
        "extended resource overcommitted",
        {f"{C0}.resources": {"requests": {"example.com/gpu": 1}, "limits": {"example.com/gpu": 2}}},
        (
            f"{C0}.resources.requests[example.com/gpu]",
            'invalid value "1": must be equal to example.com/gpu limit of 2',
        ),
    ),
    case(
        "resource name without a domain",
        {f"{C0}.resources": {"limits": {"gpu": 1}}},
        (
            f"{C0}.resources.limits.gpu",
            'invalid value "gpu": must be a standard resource for containers',
        ),
    ),
    case(
        "negative quantity",
        {f"{C0}.resources": {"requests": {"memory": "-1Mi"}}},
        (
            f"{C0}.resources.requests.memory",
            'invalid value "-1Mi": must be greater than or equal to 0',
        ),
    ),
    # probes
    case(
        "probe without handler",
        {f"{C0}.livenessProbe": {"periodSeconds": 5}},
        (f"{C0}.livenessProbe", PROBE_HANDLERS),
    ),
    case(
        "probe with two handlers",
        {f"{C0}.readinessProbe": {"exec": {"command": ["true"]}, "tcpSocket": {"port": 8080}}},
        (f"{C0}.readinessProbe", PROBE_HANDLERS),
    ),
    case(
        "negative threshold",
        {f"{C0}.livenessProbe": {"exec": {"command": ["true"]}, "failureThreshold": -1}},
        (
            f"{C0}.livenessProbe.failureThreshold",
            "invalid value -1: must be greater than or equal to 0",
        ),
    ),
    case(
        "liveness successThreshold above 1",
        {f"{C0}.livenessProbe": {"exec": {"command": ["true"]}, "successThreshold": 2}},
        (f"{C0}.livenessProbe.successThreshold", "invalid value 2: must be 1"),
    ),
    case(
        "startup successThreshold above 1",
        {f"{C0}.startupProbe": {"tcpSocket": {"port": "http"}, "successThreshold": 3}},
        (f"{C0}.startupProbe.successThreshold", "invalid value 3: must be 1"),
    ),
    case(
        "readiness probe grace period",
        {
            f"{C0}.readinessProbe": {
                "exec": {"command": ["true"]},
                "terminationGracePeriodSeconds": 5,
            }
        },
        (
            f"{C0}.readinessProbe.terminationGracePeriodSeconds",
            "must not be set for readinessProbes",
        ),
    ),
    case(
        "httpGet port name not a container port",
        {f"{C0}.livenessProbe": {"httpGet": {"port": "metrics"}}},
        (
            f"{C0}.livenessProbe.httpGet.port",
            'invalid value "metrics": must be the name of one of the container\'s ports',
        ),
    ),
    case(
        "httpGet scheme unknown",
        {f"{C0}.livenessProbe": {"httpGet": {"port": 8080, "scheme": "FTP"}}},
        (
            f"{C0}.livenessProbe.httpGet.scheme",
            'unsupported value "FTP": supported values: "HTTP", "HTTPS"',
        ),
    ),
    case(
        "httpGet header name invalid",
        {
            f"{C0}.livenessProbe": {
                "httpGet": {"port": 8080, "httpHeaders": [{"name": "X Y", "value": "1"}]}
            }
        },
        (
            f"{C0}.livenessProbe.httpGet.httpHeaders[0].name",
            (
                'invalid value "X Y": a valid HTTP header must consist of '
                "alphanumeric characters or '-'"
            ),
        ),
    ),
    case(
        "exec without command",
        {f"{C0}.livenessProbe": {"exec": {}}},
        (f"{C0}.livenessProbe.exec.command", "required value"),
    ),
    case(
        "tcpSocket without port",
        {f"{C0}.livenessProbe": {"tcpSocket": {"host": "localhost"}}},
        (f"{C0}.livenessProbe.tcpSocket.port", "required value"),
    ),
    case(
        "grpc probe",
        {f"{C0}.livenessProbe": {"grpc": {"port": 9000}}},
        (f"{C0}.livenessProbe.grpc", "field not supported by podkit"),
    ),
    case(
        "probe on an init container",
        {
            "spec.initContainers": [
                {
                    "name": "init",
                    "image": "busybox",
                    "livenessProbe": {"exec": {"command": ["true"]}},
                }
            ]
        },
        ("spec.initContainers[0].livenessProbe", "must not be set for init containers"),
    ),
    # lifecycle
    case(
        "hook without handler",
        {f"{C0}.lifecycle": {"preStop": {}}},
        (f"{C0}.lifecycle.preStop", HOOK_HANDLERS),
    ),
    case(
        "sleep longer than the grace period",
        {f"{C0}.lifecycle": {"preStop": {"sleep": {"seconds": 40}}}},
        (
            f"{C0}.lifecycle.preStop.sleep.seconds",
            (
                "invalid value 40: must be non-negative and less than or equal to "
                "terminationGracePeriodSeconds (30)"
            ),
        ),
    ),
    # env
    case(
        "env name with '='",
        {f"{C0}.env": [{"name": "A=B", "value": "x"}]},
        (
            f"{C0}.env[0].name",
            "invalid value \"A=B\": must consist only of printable ASCII characters other than '='",
        ),
    ),
    case(
        "env name missing", {f"{C0}.env": [{"value": "x"}]}, (f"{C0}.env[0].name", "required value")
    ),
    case(
        "env value and valueFrom",
        {
            f"{C0}.env": [
                {
                    "name": "A",
                    "value": "x",
                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}},
                }
            ]
        },
        (f"{C0}.env[0].valueFrom", "may not be specified when `value` is not empty"),
    ),
    case(
        "valueFrom with two sources",
        {
            f"{C0}.env": [
                {
                    "name": "A",
                    "valueFrom": {
                        "fieldRef": {"fieldPath": "metadata.name"},
                        "secretKeyRef": {"name": "s", "key": "k"},
                    },
                }
            ]
        },
        (f"{C0}.env[0].valueFrom", ENV_SOURCES),
    ),
    case(
        "fieldRef to an unsupported field",
        {f"{C0}.env": [{"name": "A", "valueFrom": {"fieldRef": {"fieldPath": "spec.hostname"}}}]},
        (
            f"{C0}.env[0].valueFrom.fieldRef.fieldPath",
            f'invalid value "spec.hostname": supported values: {FIELD_PATHS}',
        ),
    ),
    case(
        "fieldRef to an invalid label key",
        {
            f"{C0}.env": [
                {"name": "A", "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['a b']"}}}
            ]
        },
        (
            f"{C0}.env[0].valueFrom.fieldRef.fieldPath",
            f"invalid value \"metadata.labels['a b']\": {NAME_PART}",
        ),
    ),
    case(
        "secretKeyRef key invalid",
        {f"{C0}.env": [{"name": "A", "valueFrom": {"secretKeyRef": {"name": "s", "key": "a/b"}}}]},
        (f"{C0}.env[0].valueFrom.secretKeyRef.key", f'invalid value "a/b": {CONFIG_KEY}'),
    ),
    case(
        "configMapKeyRef name missing",
        {
            f"{C0}.env": [
                {"name": "A", "valueFrom": {"configMapKeyRef": {"key": "k", "optional": True}}}
            ]
        },
        (f"{C0}.env[0].valueFrom.configMapKeyRef.name", "required value"),
    ),
    case(
        "envFrom without source",
        {f"{C0}.envFrom": [{"prefix": "P_"}]},
        (f"{C0}.envFrom[0]", 'must specify exactly one of "configMapRef", "secretRef"'),
    ),
    # volumes
    case(
        "volume without source",
        {"spec.volumes[0]": {"name": "data"}},
        ("spec.volumes[0]", VOLUME_SOURCES),
    ),
    case(
        "volume with two sources",
        {"spec.volumes[0].hostPath": {"path": "/srv"}},
        ("spec.volumes[0]", VOLUME_SOURCES),
    ),
    case(
        "volume names repeated",
        {"spec.volumes": [{"name": "data", "emptyDir": {}}, {"name": "data", "emptyDir": {}}]},
        ("spec.volumes[1].name", 'duplicate value "data"'),
    ),
    case(
        "volume name not a label",
        {"spec.volumes[0].name": "Data", f"{C0}.volumeMounts[0].name": "Data"},
        ("spec.volumes[0].name", f'invalid value "Data": {LABEL}'),
    ),
    case(
        "hostPath type unknown",
        {"spec.volumes[0]": {"name": "data", "hostPath": {"path": "/srv", "type": "Dir"}}},
        (
            "spec.volumes[0].hostPath.type",
            (
                'unsupported value "Dir": supported values: "", "DirectoryOrCreate", "Directory", '
                '"FileOrCreate", "File", "Socket", "CharDevice", "BlockDevice"'
            ),
        ),
    ),
    case(
        "hostPath path missing",
        {"spec.volumes[0]": {"name": "data", "hostPath": {"type": "Directory"}}},
        ("spec.volumes[0].hostPath.path", "required value"),
    ),
    case(
        "emptyDir medium unknown",
        {"spec.volumes[0].emptyDir": {"medium": "HugePages"}},
        (
            "spec.volumes[0].emptyDir.medium",
            'unsupported value "HugePages": supported values: "", "Memory"',
        ),
    ),
    case(
        "emptyDir sizeLimit invalid",
        {"spec.volumes[0].emptyDir": {"sizeLimit": "1Gb"}},
        ("spec.volumes[0].emptyDir.sizeLimit", 'invalid quantity "1Gb"'),
    ),
    case(
        "secret item path climbing out",
        {
            "spec.volumes[0]": {
                "name": "data",
                "secret": {"secretName": "s", "items": [{"key": "k", "path": "../k"}]},
            }
        },
        ("spec.volumes[0].secret.items[0].path", "invalid value \"../k\": must not contain '..'"),
    ),
    case(
        "secret defaultMode too large",
        {"spec.volumes[0]": {"name": "data", "secret": {"secretName": "s", "defaultMode": 0o1000}}},
        (
            "spec.volumes[0].secret.defaultMode",
            "invalid value 512: must be a number between 0 and 0777 (octal), both inclusive",
        ),
    ),
    case(
        "configMap name missing",
        {
            "spec.volumes[0]": {
                "name": "data",
                "configMap": {"items": [{"key": "k", "path": "k", "mode": 0o644}]},
            }
        },
        ("spec.volumes[0].configMap.name", "required value"),
    ),
    case(
        "csi driver missing",
        {"spec.volumes[0]": {"name": "data", "csi": {"readOnly": True}}},
        ("spec.volumes[0].csi.driver", "required value"),
    ),
    case(
        "persistentVolumeClaim",
        {"spec.volumes[0]": {"name": "data", "persistentVolumeClaim": {"claimName": "c"}}},
        ("spec.volumes[0].persistentVolumeClaim", "field not supported by podkit"),
    ),
    # pod settings
    case(
        "restartPolicy unknown",
        {"spec.restartPolicy": "Sometimes"},
        (
            "spec.restartPolicy",
            'unsupported value "Sometimes": supported values: "Always", "OnFailure", "Never"',
        ),
    ),
    case(
        "activeDeadlineSeconds zero",
        {"spec.activeDeadlineSeconds": 0},
        (
            "spec.activeDeadlineSeconds",
            "invalid value 0: must be between 1 and 2147483647, inclusive",
        ),
    ),
    case(
        "negative grace period",
        {"spec.terminationGracePeriodSeconds": -1},
        (
            "spec.terminationGracePeriodSeconds",
            "invalid value -1: must be greater than or equal to 0",
        ),
    ),
    case(
        "dnsPolicy None without nameservers",
        {"spec.dnsPolicy": "None"},
        ("spec.dnsConfig", "must provide at least one DNS nameserver when dnsPolicy is None"),
    ),
    case(
        "too many nameservers",
        {"spec.dnsConfig": {"nameservers": ["1.1.1.1", "1.0.0.1", "8.8.8.8", "8.8.4.4"]}},
        ("spec.dnsConfig.nameservers", "must not have more than 3 nameservers"),
    ),
    case(
        "host alias without IP",
        {"spec.hostAliases": [{"hostnames": ["db.local"]}]},
        ("spec.hostAliases[0].ip", "required value"),
    ),
    case(
        "hostname not a label",
        {"spec.hostname": "Web_1"},
        ("spec.hostname", f'invalid value "Web_1": {LABEL}'),
    ),
    case(
        "tolerations",
        {"spec.tolerations": [{"operator": "Exists"}]},
        ("spec.tolerations", "field not supported by podkit"),
    ),
    # security contexts
    case(
        "negative runAsUser",
        {"spec.securityContext": {"runAsUser": -1}},
        ("spec.securityContext.runAsUser", f"invalid value -1: {ID_RANGE}"),
    ),
    case(
        "supplemental group too large",
        {"spec.securityContext": {"supplementalGroups": [1, 2147483648]}},
        ("spec.securityContext.supplementalGroups[1]", f"invalid value 2147483648: {ID_RANGE}"),
    ),
    case(
        "sysctl name invalid",
        {"spec.securityContext": {"sysctls": [{"name": "net..ipv4", "value": "1"}]}},
        (
            "spec.securityContext.sysctls[0].name",
            (
                'invalid value "net..ipv4": a sysctl name must consist of lower case alphanumeric '
                "characters, '-', '_', '.' or '/', with dots or slashes between alphanumeric parts"
            ),
        ),
    ),
    case(
        "privileged without privilege escalation",
        {f"{C0}.securityContext": {"privileged": True, "allowPrivilegeEscalation": False}},
        (
            f"{C0}.securityContext.allowPrivilegeEscalation",
            "cannot set `allowPrivilegeEscalation` to false and `privileged` to true",
        ),
    ),
    case(
        "SYS_ADMIN without privilege escalation",
        {
            f"{C0}.securityContext": {
                "capabilities": {"add": ["SYS_ADMIN"]},
                "allowPrivilegeEscalation": False,
            }
        },
        (
            f"{C0}.securityContext.allowPrivilegeEscalation",
            "cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN",
        ),
    ),
    case(
        "seccomp profile without a type",
        {"spec.securityContext": {"seccompProfile": {}}},
        ("spec.securityContext.seccompProfile.type", "required value"),
    ),
    case(
        "seccomp profile of an unknown type",
        {f"{C0}.securityContext": {"seccompProfile": {"type": "Strict"}}},
        (
            f"{C0}.securityContext.seccompProfile.type",
            SECCOMP_TYPES,
        ),
    ),
    case(
        "Localhost seccomp profile without a path",
        {f"{C0}.securityContext": {"seccompProfile": {"type": "Localhost"}}},
        (
            f"{C0}.securityContext.seccompProfile.localhostProfile",
            "must be set when seccomp type is Localhost",
        ),
    ),
    case(
        "seccomp profile path that climbs out",
        {
            f"{C0}.securityContext": {
                "seccompProfile": {"type": "Localhost", "localhostProfile": "../x.json"}
            }
        },
        (f"{C0}.securityContext.seccompProfile.localhostProfile", "must not contain '..'"),
    ),
    case(
        "seccomp profile path with RuntimeDefault",
        {
            "spec.securityContext": {
                "seccompProfile": {"type": "RuntimeDefault", "localhostProfile": "x.json"}
            }
        },
        (
            "spec.securityContext.seccompProfile.localhostProfile",
            "can only be set when seccomp type is Localhost",
        ),
    ),
    # secrets and config maps
    case(
        "secret data not base64",
        {"data.a": "not base64!"},
        ("data.a", "illegal base64 data"),
        base=SECRET,
    ),
    case(
        "secret key invalid",
        {"stringData": {"a b": "x"}},
        ("stringData[a b]", f'invalid value "a b": {CONFIG_KEY}'),
        base=SECRET,
    ),
    case(
        "secret value of the wrong type is not quoted back",
        {"stringData": {"password": 1234}},
        ("stringData.password", "expected string, got integer"),
        base=SECRET,
    ),
    case(
        "tls secret without its keys",
        {"type": "kubernetes.io/tls"},
        ("data[tls.crt]", "required value"),
        ("data[tls.key]", "required value"),
        base=SECRET,
    ),
    case(
        "config map key in data and binaryData",
        {"binaryData": {"a": "eA=="}},
        ("data.a", "duplicate of key present in `binaryData`"),
        base=CONFIG_MAP,
    ),
    case(
        "config map key '..'",
        {"data": {"..": "x"}},
        ("data[..]", "invalid value \"..\": must not be '..'"),
        base=CONFIG_MAP,
    ),
    case(
        "config map value not a string",
        {"data": {"port": 8080}},
        ("data.port", "expected string, got integer 8080"),
        base=CONFIG_MAP,
    ),
]


@pytest.mark.parametrize(("document", "expected"), CASES)
def test_invalid_manifest_reports_the_field(document, expected):
    with pytest.raises(ManifestError) as info:
        manifests.load(yaml.safe_dump(document), source="test.yaml")
    assert [(error.path, error.message) for error in info.value.errors] == expected
    assert info.value.source == "test.yaml"


def test_there_are_at_least_forty_cases():
    assert len(CASES) >= 40


def test_every_error_of_a_document_is_reported_at_once():
    document = patched(
        POD,
        {
            "metadata.name": "Web",
            f"{C0}.image": DELETE,
            f"{C0}.resources": {"limits": {"memory": "64Q", "cpu": "1"}, "requests": {"cpu": "2"}},
            f"{C0}.volumeMounts[0].name": "nope",
            "spec.restartPolicy": "Sometimes",
            "spec.extra": True,
        },
    )
    with pytest.raises(ManifestError) as info:
        manifests.load(yaml.safe_dump(document), source="pod.yaml")
    assert info.value.errors == (
        FieldError("metadata.name", f'invalid value "Web": {SUBDOMAIN}'),
        FieldError(f"{C0}.image", "required value"),
        FieldError(f"{C0}.resources.limits.memory", 'invalid quantity "64Q"'),
        FieldError(
            f"{C0}.resources.requests.cpu",
            'invalid value "2": must be less than or equal to cpu limit of 1',
        ),
        FieldError(f"{C0}.volumeMounts[0].name", 'volume "nope" not found'),
        FieldError(
            "spec.restartPolicy",
            'unsupported value "Sometimes": supported values: "Always", "OnFailure", "Never"',
        ),
        FieldError("spec.extra", 'unknown field "extra"'),
    )
    lines = str(info.value).splitlines()
    assert (
        lines[2] == 'pod.yaml: spec.containers[0].resources.limits.memory: invalid quantity "64Q"'
    )


@pytest.mark.parametrize(("document", "expected"), CASES)
def test_podkit_validate_exits_1_listing_each_error_path_first(
    document, expected, tmp_path, capsys
):
    path = tmp_path / "manifest.yaml"
    path.write_text(yaml.safe_dump(document))
    assert main(["validate", "-f", str(path)]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == [f"{p}: {m}  ({path})" for p, m in expected]
    assert "Traceback" not in out + err
