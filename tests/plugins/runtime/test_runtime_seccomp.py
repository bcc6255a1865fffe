"""seccomp profiles: compiled with libseccomp, loaded by a real process, refused when malformed."""

from __future__ import annotations

import base64
import errno
import json
import os

import pytest

import podkit
from podkit.models.runtime import ProfileType, SecurityProfile
from podkit.plugins.runtime import _seccomp
from podkit.plugins.runtime import _syscalls as sc

DEFAULT_CAPS = (1 << 14) - 1  # CAP_CHOWN .. CAP_NET_RAW: no CAP_SYS_ADMIN
CAP_SYS_ADMIN = 1 << 21
CLONE_NEWUSER = 0x10000000


def _in_child_under(program: bytes, action) -> int:
    """Run ``action`` in a child that loaded ``program``; its errno (0: it worked)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = "0"
        try:
            os.close(read_end)
            sc.prctl(sc.PR_SET_NO_NEW_PRIVS, 1)
            sc.load_seccomp(program)
            action()
        except OSError as exc:
            code = str(exc.errno)
        except BaseException as exc:  # noqa: BLE001 - told to the parent
            code = repr(exc)
        finally:
            os.write(write_end, code.encode())
            os._exit(0)
    os.close(write_end)
    answer = os.read(read_end, 4096).decode()
    os.close(read_end)
    os.waitpid(pid, 0)
    assert answer.isdigit(), answer
    return int(answer)


def test_the_default_profile_compiles_to_bpf_and_is_smaller_with_cap_sys_admin():
    program = _seccomp.compile_profile(_seccomp.RUNTIME_DEFAULT, DEFAULT_CAPS)
    admin = _seccomp.compile_profile(_seccomp.RUNTIME_DEFAULT, DEFAULT_CAPS | CAP_SYS_ADMIN)
    assert program
    assert len(program) % 8 == 0
    assert len(admin) < len(program)  # the mount and namespace rules are left out


def test_the_default_profile_refuses_a_user_namespace_and_allows_a_mkdir(tmp_path):
    program = _seccomp.compile_profile(_seccomp.RUNTIME_DEFAULT, DEFAULT_CAPS)
    assert _in_child_under(program, lambda: sc.unshare(CLONE_NEWUSER)) == errno.EPERM
    assert _in_child_under(program, (tmp_path / "made").mkdir) == 0
    assert (tmp_path / "made").is_dir()


def test_a_localhost_profile_in_dockers_form_is_applied(tmp_path):
    profile = {
        "defaultAction": "SCMP_ACT_ALLOW",
        "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86"]}],
        "syscalls": [
            {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
            # Left out for a process with CAP_SYS_ADMIN, which this one is not.
            {
                "names": ["rmdir"],
                "action": "SCMP_ACT_ERRNO",
                "excludes": {"caps": ["CAP_SYS_ADMIN"]},
            },
            {"names": ["no_such_syscall_name"], "action": "SCMP_ACT_ERRNO"},
            # Applied: the process has CAP_CHOWN and this is one of the machines listed.
            {
                "names": ["link", "linkat"],
                "action": "SCMP_ACT_ERRNO",
                "includes": {"caps": ["CAP_CHOWN"], "arches": ["amd64", "arm64"]},
            },
            # Left out: for another machine.
            {
                "names": ["symlink", "symlinkat"],
                "action": "SCMP_ACT_ERRNO",
                "includes": {"arches": ["s390x"]},
            },
        ],
    }
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(profile))
    encoded = _seccomp.program_for(
        SecurityProfile(profile_type=ProfileType.LOCALHOST, localhost_ref=str(path)),
        DEFAULT_CAPS,
        privileged=False,
    )
    program = base64.b64decode(encoded)
    (tmp_path / "there").mkdir()
    assert _in_child_under(program, (tmp_path / "d").mkdir) == errno.EACCES
    assert _in_child_under(program, (tmp_path / "there").rmdir) == errno.EPERM
    assert _in_child_under(program, lambda: (tmp_path / "hard").hardlink_to(path)) == errno.EPERM
    assert _in_child_under(program, lambda: (tmp_path / "soft").symlink_to(path)) == 0


def test_unconfined_none_and_privileged_containers_get_no_filter():
    default = SecurityProfile(profile_type=ProfileType.RUNTIME_DEFAULT)
    unconfined = SecurityProfile(profile_type=ProfileType.UNCONFINED)
    assert _seccomp.program_for(None, DEFAULT_CAPS, privileged=False) == ""
    assert _seccomp.program_for(unconfined, DEFAULT_CAPS, privileged=False) == ""
    assert _seccomp.program_for(default, DEFAULT_CAPS, privileged=True) == ""
    assert _seccomp.program_for(default, DEFAULT_CAPS, privileged=False)


@pytest.mark.parametrize(
    ("profile", "fragment"),
    [
        ({"defaultAction": "SCMP_ACT_SOMETIMES"}, "action 'SCMP_ACT_SOMETIMES'"),
        ({"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": -1}, "errnoRet -1"),
        (
            {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": "mkdir"}]},
            "syscalls[0]",
        ),
        (
            {
                "defaultAction": "SCMP_ACT_ALLOW",
                "syscalls": [
                    {"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "args": [{"op": "LIKE"}]}
                ],
            },
            "args[0] needs an op",
        ),
        ({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": ["mkdir"]}, "a rule must be an object"),
    ],
)
def test_a_malformed_profile_is_refused_naming_the_place(profile, fragment):
    with pytest.raises(podkit.InvalidArgumentError, match="invalid seccomp profile") as info:
        _seccomp.compile_profile(profile, DEFAULT_CAPS)
    assert fragment in str(info.value)


def test_a_localhost_ref_must_be_an_absolute_path_to_a_json_object(tmp_path):
    def localhost(ref: str) -> SecurityProfile:
        return SecurityProfile(profile_type=ProfileType.LOCALHOST, localhost_ref=ref)

    (tmp_path / "list.json").write_text("[]")
    (tmp_path / "broken.json").write_text("{")
    for ref, why in [
        ("profile.json", "absolute path"),
        (str(tmp_path / "missing.json"), "no such file"),
        (str(tmp_path / "list.json"), "not a JSON object"),
        (str(tmp_path / "broken.json"), "Expecting"),
    ]:
        with pytest.raises(podkit.InvalidArgumentError, match=why):
            _seccomp.program_for(localhost(ref), DEFAULT_CAPS, privileged=False)
