"""protoc for the protos podkit keeps with their generated modules (CSI's and CRI's).

Each wire package keeps its ``.proto`` and the modules generated from it in
its ``_proto`` folder, and a test regenerates them into a temporary folder
and compares, so stale modules fail CI. protoc writes ``import <name>_pb2``
into the gRPC module, a top-level import that only works with ``_proto`` on
``sys.path``; it is rewritten here into a package-relative one.
"""

from __future__ import annotations

import importlib.resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


def generated_names(proto: Path) -> tuple[str, ...]:
    """The files protoc makes of ``proto``: messages, their stubs, the gRPC module."""
    stem = proto.stem
    return (f"{stem}_pb2.py", f"{stem}_pb2.pyi", f"{stem}_pb2_grpc.py")


def generate(proto: Path, out_dir: Path) -> tuple[Path, ...]:
    """Run protoc on ``proto`` (which may import Google's well-known types) into ``out_dir``.

    :returns: the paths written, as :func:`generated_names` names them.
    :raises RuntimeError: protoc failed (its message is on stderr).
    """
    from grpc_tools import protoc  # noqa: PLC0415 - a dev dependency, only needed here

    includes = importlib.resources.files("grpc_tools") / "_proto"
    code = protoc.main(
        [
            "grpc_tools.protoc",
            f"-I{proto.parent}",
            f"-I{includes}",
            f"--python_out={out_dir}",
            f"--pyi_out={out_dir}",
            f"--grpc_python_out={out_dir}",
            str(proto),
        ]
    )
    if code != 0:
        msg = f"protoc failed with exit code {code} on {proto}"
        raise RuntimeError(msg)
    stem = proto.stem
    stub = out_dir / f"{stem}_pb2_grpc.py"
    text = stub.read_text(encoding="utf-8")
    top_level = f"import {stem}_pb2 as {stem}__pb2"
    stub.write_text(
        text.replace(top_level, f"from . import {stem}_pb2 as {stem}__pb2"), encoding="utf-8"
    )
    return tuple(out_dir / name for name in generated_names(proto))


__all__ = ["generate", "generated_names"]
