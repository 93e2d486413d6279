"""Which process delivers from a database: the one holding a lock file beside it.

Only one process may send from an outbox at a time: a second one would re-queue the
first one's in-flight rows as if it had crashed, send them again, and keep rate
limits of its own. The lock is the operating system's (flock), so it goes with the
process however that ends, kill -9 included, and it is never left stale.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path


class FileLease:
    """Held while open; `release()` (or the process ending) lets another take it."""

    def __init__(self, fd: int, path: Path) -> None:
        self._fd: int | None = fd
        self.path = path

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".sender.lock")


def take(database: Path) -> FileLease | str:
    """The lease, or a description of who holds it ("pid 1234")."""
    path = lock_path(database)
    # Not inherited by child processes (PEP 446): a parse worker outliving a killed
    # bot must not keep the database locked.
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.read(fd, 64).decode("ascii", "replace").strip()
        os.close(fd)
        return f"pid {holder}" if holder.isdigit() else "another process"
    except OSError:
        os.close(fd)
        raise
    os.ftruncate(fd, 0)
    os.write(fd, str(os.getpid()).encode("ascii"))
    return FileLease(fd, path)


def held_by(database: Path) -> str | None:
    """Who holds the lease ("pid 1234"), or None when nobody does. Asking takes the
    lock for an instant when it is free (flock has no way to only look)."""
    path = lock_path(database)
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.read(fd, 64).decode("ascii", "replace").strip()
        return f"pid {holder}" if holder.isdigit() else "another process"
    finally:
        os.close(fd)
    return None
