"""The reference runtime's content-addressed image store.

:class:`ImageStore` keeps images from OCI layouts, archives and registries under one
directory, and hands the container side the unpacked layers of an image, ready to
stack with overlayfs. :class:`ImageRecord` is what it knows of one image.
"""

from __future__ import annotations

from podkit.plugins.runtime._images._record import ImageRecord
from podkit.plugins.runtime._images._store import ImageStore

__all__ = ["ImageRecord", "ImageStore"]
