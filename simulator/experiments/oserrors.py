"""Why a file or folder cannot be written, in words: an ``OSError``'s ``errno`` (a full disk,
a read-only file system, a file where a folder should be, ...) as what went wrong and what to
do. Used for results folders (:mod:`.storage`) and by the command line for any other output
file; it imports nothing heavy."""

from __future__ import annotations

import errno

__all__ = ["WRITE_ERRNOS", "errno_name", "why_not_written"]

_WHY = {
    errno.ENOSPC: ("no space left on the device",
                   "free space on the device: free some, or choose another -o"),
    errno.EDQUOT: ("disk quota exceeded", "room within the quota: free some, or choose "
                   "another -o"),
    errno.EROFS: ("the file system is read-only", "a folder you can write to (-o)"),
    errno.EACCES: ("permission denied", "a folder you can write to (-o)"),
    errno.EPERM: ("permission denied", "a folder you can write to (-o)"),
    errno.ENOTDIR: ("part of the path is a file, not a folder", "a folder path (-o)"),
    errno.EEXIST: ("a file is in the way", "a folder path (-o)"),
    errno.ENAMETOOLONG: ("the path is too long", "a shorter folder path (-o)"),
}

#: ``errno`` codes that mean "this cannot be written here" (rather than a bug).
WRITE_ERRNOS = frozenset(_WHY)


def errno_name(code: int | None) -> str:
    """``ENOSPC`` for 28 (the symbolic name of an ``errno`` code)."""
    return errno.errorcode.get(code, str(code)) if code is not None else "an error"


def why_not_written(exc: OSError) -> tuple[str, str]:
    """(what went wrong, what is expected instead) for an ``OSError``.

    Examples
    --------
    >>> why_not_written(OSError(errno.ENOSPC, "No space left on device"))[0]
    'no space left on the device'
    """
    return _WHY.get(exc.errno or -1, (exc.strerror or str(exc), "a writable folder (-o)"))
