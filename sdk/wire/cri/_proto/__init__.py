"""The generated protobuf and gRPC modules of runtime.v1 (see podkit.wire.cri._generate).

Also the one place the CRI adapters import protobuf's runtime from:
protobuf ships no type stubs, and this package is exempt from type checks.
"""

from google.protobuf import text_format
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

__all__ = ["Descriptor", "FieldDescriptor", "Message", "text_format"]
