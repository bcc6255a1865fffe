"""The generated protobuf and gRPC modules of csi.v1 (see podkit.wire.csi._generate).

Also the one place the CSI adapters import protobuf's runtime from:
protobuf ships no type stubs, and this package is exempt from type checks.
"""

from google.protobuf import text_format
from google.protobuf.message import Message

__all__ = ["Message", "text_format"]
