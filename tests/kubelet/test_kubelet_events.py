"""The node's event log on disk: appended, bounded, read back, forgotten (no root needed)."""

from __future__ import annotations

import datetime as dt

from podkit.kubelet._events import EventLog
from podkit.kubelet._status import PodEvent

T0 = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)


def event(n: int) -> PodEvent:
    return PodEvent(
        time=T0 + dt.timedelta(seconds=n), type="Normal", reason="Started", message=f"{n}"
    )


def test_events_come_back_oldest_first_and_bounded(tmp_path):
    log = EventLog(tmp_path / "events", limit=5)
    for n in range(23):
        log.append("uid-1", event(n))
    assert [e.message for e in log.load("uid-1")] == ["18", "19", "20", "21", "22"]
    assert log.load("uid-1")[0].time == T0 + dt.timedelta(seconds=18)
    # Compacted on the way: never more than twice the limit on disk.
    assert len((tmp_path / "events" / "uid-1.jsonl").read_bytes().splitlines()) < 10
    assert log.load("uid-2") == []


def test_a_line_cut_by_a_crash_is_skipped_and_the_rest_read(tmp_path):
    log = EventLog(tmp_path, limit=10)
    log.append("u", event(1))
    with (tmp_path / "u.jsonl").open("ab") as file:
        file.write(b'{"time": "2026-11-26T12:00:02+00:00", "type": "Nor')
    fresh = EventLog(tmp_path, limit=10)  # a restarted node
    fresh.append("u", event(3))
    assert [e.message for e in fresh.load("u")] == ["1", "3"]
    fresh.append("u", event(4))
    assert [e.message for e in fresh.load("u")] == ["1", "3", "4"]


def test_forget_removes_the_file_and_a_missing_one_is_fine(tmp_path):
    log = EventLog(tmp_path, limit=3)
    log.append("u", event(1))
    log.forget("u")
    log.forget("u")
    assert list(tmp_path.iterdir()) == []


def test_a_write_that_fails_is_logged_not_raised(tmp_path, caplog):
    blocker = tmp_path / "events"
    blocker.write_text("a file where the folder should be")
    EventLog(blocker, limit=3).append("u", event(1))
    assert "failed to keep an event of pod u" in caplog.text
