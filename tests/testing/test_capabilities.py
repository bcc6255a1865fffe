"""Capability checks skip a test, or fail it in strict mode."""

from __future__ import annotations

import os

import pytest

from podkit.testing import (
    STRICT_ENV,
    find_binary,
    is_root,
    is_strict,
    require_binary,
    require_netns,
    require_root,
    skip_missing_capability,
)


@pytest.mark.parametrize("value", ["1", "true", "YES", " on "])
def test_strict_mode_is_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv(STRICT_ENV, value)
    assert is_strict()


@pytest.mark.parametrize("value", ["0", "", "no", "false"])
def test_other_values_leave_strict_mode_off(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(STRICT_ENV, value)
    assert not is_strict()


def test_strict_mode_is_off_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(STRICT_ENV, raising=False)
    assert not is_strict()


def test_a_missing_capability_skips_or_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(STRICT_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"^no frobnicator$"):
        skip_missing_capability("no frobnicator")
    monkeypatch.setenv(STRICT_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match=r"^no frobnicator \(and PODKIT_TESTS_STRICT"):
        skip_missing_capability("no frobnicator")


def test_root_and_netns_are_required_of_the_effective_user(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(STRICT_ENV, raising=False)
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert not is_root()
    with pytest.raises(pytest.skip.Exception, match="needs root, runs as uid 1000"):
        require_root()
    with pytest.raises(pytest.skip.Exception, match="needs root"):
        require_netns()
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    assert is_root()
    require_root()


def test_binaries_are_found_in_sbin_even_off_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    assert find_binary("ip") in {"/usr/sbin/ip", "/sbin/ip", "/usr/local/sbin/ip"}
    assert find_binary("podkit-no-such-program") is None


def test_require_binary_returns_the_path_or_skips(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(STRICT_ENV, raising=False)
    assert require_binary("sh") == find_binary("sh")
    with pytest.raises(pytest.skip.Exception, match="'podkit-no-such-program' program"):
        require_binary("podkit-no-such-program")
