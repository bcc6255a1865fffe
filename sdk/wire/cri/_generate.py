"""Regenerate the protobuf and gRPC modules of ``api.proto``, kept in the tree.

Run ``python -m podkit.wire.cri._generate`` after editing
``_proto/api.proto`` (needs ``grpcio-tools``, a dev dependency); a test
generates into a temporary folder and compares, so stale modules fail CI.
protoc writes ``import api_pb2`` into the gRPC module, a top-level import
that only works with ``_proto`` on ``sys.path``; it is rewritten here into
a package-relative one.
"""

from __future__ import annotations

import importlib.resources
import sys
from pathlib import Path
from typing import Final

#: The folder that holds ``api.proto`` and the generated modules.
PROTO_DIR: Final = Path(__file__).parent / "_proto"
#: The generated files, by name.
GENERATED: Final = ("api_pb2.py", "api_pb2.pyi", "api_pb2_grpc.py")
_TOP_LEVEL_IMPORT: Final = "import api_pb2 as api__pb2"
_RELATIVE_IMPORT: Final = "from . import api_pb2 as api__pb2"


def generate(out_dir: Path = PROTO_DIR) -> tuple[Path, ...]:
    """Run protoc on ``api.proto``, writing :data:`GENERATED` into ``out_dir``.

    :returns: the paths written.
    :raises RuntimeError: protoc failed (its message is on stderr).
    """
    from grpc_tools import protoc  # noqa: PLC0415 - a dev dependency, only needed here

    includes = importlib.resources.files("grpc_tools") / "_proto"
    code = protoc.main(
        [
            "grpc_tools.protoc",
            f"-I{PROTO_DIR}",
            f"-I{includes}",
            f"--python_out={out_dir}",
            f"--pyi_out={out_dir}",
            f"--grpc_python_out={out_dir}",
            str(PROTO_DIR / "api.proto"),
        ]
    )
    if code != 0:
        msg = f"protoc failed with exit code {code} on {PROTO_DIR / 'api.proto'}"
        raise RuntimeError(msg)
    stub = out_dir / "api_pb2_grpc.py"
    text = stub.read_text(encoding="utf-8")
    stub.write_text(text.replace(_TOP_LEVEL_IMPORT, _RELATIVE_IMPORT), encoding="utf-8")
    return tuple(out_dir / name for name in GENERATED)


if __name__ == "__main__":
    for path in generate():
        sys.stdout.write(f"wrote {path}\n")

__all__ = ["GENERATED", "PROTO_DIR", "generate"]
