"""Fixtures of the NamespaceRuntime tests (the helpers are in ``pkr_helpers``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from pkr_helpers import RuntimeEnv

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture
def runtime_env(tmp_path: Path, tmp_state_dir: Path):
    """A NamespaceRuntime on temporary directories, cleaned up even when the test fails."""
    env = RuntimeEnv(tmp_path, tmp_state_dir)
    try:
        yield env
    finally:
        env.cleanup()


@pytest.fixture
def busybox_env(runtime_env: RuntimeEnv, busybox_image) -> RuntimeEnv:
    """The runtime with the busybox image imported as ``busybox:latest``."""
    runtime_env.import_busybox(busybox_image.path)
    return runtime_env
