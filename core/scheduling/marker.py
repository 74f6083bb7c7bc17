"""Which process runs the scheduler, for `entraide jobs status`.

On PostgreSQL the advisory lock's connection carries the process's name (`application_name`,
see `leader.py`). SQLite has no lock: the one `entraide run` that runs the scheduler leaves a
small marker file beside the database (`<database>.scheduler`, JSON: host, pid, since) while it
runs. A marker whose process is gone (a crash) is reported as such, never as a live scheduler.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from core.persistence.database import is_sqlite


def process_name() -> str:
    """This process as `jobs status` names it: `entraide-scheduler host=… pid=…` (short enough
    for PostgreSQL's 63-character application_name)."""
    return f"entraide-scheduler host={socket.gethostname()[:24]} pid={os.getpid()}"


def marker_path(database_url: str) -> Path | None:
    """The marker of an SQLite database kept in a file; None for PostgreSQL or in memory."""
    if not is_sqlite(database_url):
        return None
    database = make_url(database_url).database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        return None
    return Path(database).with_name(Path(database).name + ".scheduler")


def mark_active(database_url: str) -> Path | None:
    """Leave the marker saying this process runs the scheduler (best effort)."""
    path = marker_path(database_url)
    if path is None:
        return None
    record = {
        "name": process_name(),
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "since": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    with contextlib.suppress(OSError):
        path.write_text(json.dumps(record), encoding="utf-8")
        return path
    return None


def unmark(path: Path | None) -> None:
    """Remove this process's marker (if it is still ours)."""
    if path is None:
        return
    with contextlib.suppress(OSError, ValueError):
        if json.loads(path.read_text(encoding="utf-8")).get("pid") == os.getpid():
            path.unlink()


def active_process(database_url: str) -> str | None:
    """Who runs the scheduler on this SQLite database, as one line; None if nobody does."""
    path = marker_path(database_url)
    if path is None:
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        name, host, pid = str(record["name"]), str(record["host"]), int(record["pid"])
        since = str(record.get("since", "?"))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if host == socket.gethostname() and not _alive(pid):
        return None  # left by a process that crashed
    return f"{name} (since {since})"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it exists
        return True
    return True
