"""Regenerate the protobuf and gRPC modules of ``api.proto``, kept in the tree.

Run ``python -m podkit.wire.cri._generate`` after editing
``_proto/api.proto`` (needs ``grpcio-tools``, a dev dependency); a test
generates into a temporary folder and compares (:mod:`podkit.wire._protoc`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Final

from podkit.wire import _protoc

#: The folder that holds ``api.proto`` and the generated modules.
PROTO_DIR: Final = Path(__file__).parent / "_proto"
PROTO: Final = PROTO_DIR / "api.proto"
#: The generated files, by name.
GENERATED: Final = _protoc.generated_names(PROTO)


def generate(out_dir: Path = PROTO_DIR) -> tuple[Path, ...]:
    """Run protoc on ``api.proto``, writing :data:`GENERATED` into ``out_dir``.

    :returns: the paths written.
    :raises RuntimeError: protoc failed (its message is on stderr).
    """
    return _protoc.generate(PROTO, out_dir)


if __name__ == "__main__":
    for path in generate():
        sys.stdout.write(f"wrote {path}\n")

__all__ = ["GENERATED", "PROTO", "PROTO_DIR", "generate"]
