"""Writing files so that a reader, or a crash, never sees a part: the one atomic write of the project, and
the check, made before a run starts, that it will be able to write there."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import ConfigError

__all__ = ["check_writable", "write_atomic"]


def write_atomic(path: str | os.PathLike[str], data: bytes | str) -> None:
    """Write ``data`` (str as UTF-8) to a temporary file beside ``path``, flush it to disk, then rename it
    over ``path``: the old content or the new, never a mixture, under the target name."""
    target = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def check_writable(path: str | os.PathLike[str], option: str, make_folders: bool = False) -> None:
    """Refuse, with a ConfigError naming ``option``, an output ``path`` that could not be written at the end
    of the run: a folder there, a folder that does not exist (unless ``make_folders``: then its nearest
    existing parent must take it) or one that takes no new file. Taking one is tried for real, as
    :func:`write_atomic` will do it (permissions alone do not tell: root, read-only mounts, ACLs)."""
    target = Path(path)
    if target.is_dir():
        raise ConfigError(option, f"{path}: is a folder, not a file")
    folder = target.parent
    if make_folders:
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
    if not folder.is_dir():
        why = f"{folder} is not a folder" if folder.exists() or folder.is_symlink() else \
            f"the folder {folder} does not exist"
        raise ConfigError(option, f"{path}: {why}")
    try:
        fd, probe = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".probe", dir=folder)
    except OSError as exc:
        raise ConfigError(option, f"{path}: cannot write in the folder {folder} "
                          f"({exc.strerror or exc.__class__.__name__})") from None
    os.close(fd)
    os.unlink(probe)
