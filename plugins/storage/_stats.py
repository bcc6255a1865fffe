"""Volume usage for NodeGetVolumeStats, from statvfs(3) of where the volume is mounted."""

from __future__ import annotations

import os

from podkit.models.storage import NodeGetVolumeStatsResult, VolumeUsage, VolumeUsageUnit


def volume_stats(path: str) -> NodeGetVolumeStatsResult:
    """Bytes and inodes of the filesystem at ``path``, as CSI ``VolumeUsage``."""
    st = os.statvfs(path)
    total = st.f_blocks * st.f_frsize
    available = st.f_bavail * st.f_frsize
    used = (st.f_blocks - st.f_bfree) * st.f_frsize
    inodes_used = max(st.f_files - st.f_ffree, 0)
    return NodeGetVolumeStatsResult(
        usage=(
            VolumeUsage(available=available, total=total, used=used, unit=VolumeUsageUnit.BYTES),
            VolumeUsage(
                available=st.f_favail,
                total=st.f_files,
                used=inodes_used,
                unit=VolumeUsageUnit.INODES,
            ),
        )
    )


__all__ = ["volume_stats"]
