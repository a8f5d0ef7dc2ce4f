"""Where the product's files are: the project folder, the database file, the committed demo data, and the private
work folder that holds copies of personal data (uploads, re-encoded copies, exports, backups being written)."""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
import time
from pathlib import Path

from analytics.errors import UserError

ENV_DB_PATH = "OPTOUT_COHORTS_DB"
ENV_WORK_DIR = "OPTOUT_COHORTS_WORK"
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def default_db_path() -> Path:
    """The database file: $OPTOUT_COHORTS_DB, else data/optout-cohorts.duckdb in the project folder."""
    return Path(os.environ.get(ENV_DB_PATH) or PROJECT_ROOT / "data" / "optout-cohorts.duckdb")


DEMO_DIR = PROJECT_ROOT / "data" / "demo"


def work_dir() -> Path:
    """The folder for the product's temporary files (uploads, re-encoded copies, exports, backups being
    written): the only folder, besides the paths a connection is opened for, that DuckDB may read or write.
    It holds copies of personal data, so it is private to this user (see `private_folder`)."""
    folder = Path(os.environ.get(ENV_WORK_DIR) or Path(tempfile.gettempdir()) / "optout-cohorts-work")
    folder.parent.mkdir(parents=True, exist_ok=True)
    return private_folder(folder.parent.resolve() / folder.name)


PRIVATE_FOLDER_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def private_folder(folder: Path) -> Path:
    """Create `folder` (its parent must exist) readable by this user only, or check an existing one: in a shared
    temp directory another user may have made it first (to read the uploads) or planted a symbolic link (to
    redirect them). One of ours with group or world permissions is made private."""
    with contextlib.suppress(FileExistsError):
        os.mkdir(folder, PRIVATE_FOLDER_MODE)
    info = os.lstat(folder)
    fix = f"Remove it (or ask its owner to), or set {ENV_WORK_DIR} to a folder of your own."
    if stat.S_ISLNK(info.st_mode):
        raise UserError(
            f"The work folder {folder} is a symbolic link, not a folder: someone may be redirecting the uploads "
            f"it would hold. Nothing was written there. {fix}"
        )
    if not stat.S_ISDIR(info.st_mode):
        raise UserError(f"The work folder {folder} is a file, not a folder. Nothing was written there. {fix}")
    if info.st_uid != os.geteuid():
        raise UserError(
            f"The work folder {folder} belongs to another user (uid {info.st_uid}), who could read the uploads "
            f"it would hold. Nothing was written there. {fix}"
        )
    if stat.S_IMODE(info.st_mode) != PRIVATE_FOLDER_MODE:
        os.chmod(folder, PRIVATE_FOLDER_MODE)
    return folder


def open_private(path: Path):
    """A new file (replacing any) that only this user may read, opened for writing bytes."""
    return os.fdopen(
        os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, PRIVATE_FILE_MODE), "wb"
    )


def sweep(folder: Path, older_than: float, prefix: str = "") -> None:
    """Delete the entries of `folder` (named with `prefix`) untouched for `older_than` seconds: copies of personal
    data that an ended session or a killed process left behind. Symbolic links are left alone."""
    cutoff = time.time() - older_than
    for entry in os.scandir(folder):
        try:
            info = entry.stat(follow_symlinks=False)
        except FileNotFoundError:
            continue  # removed meanwhile
        if not entry.name.startswith(prefix) or info.st_mtime > cutoff or stat.S_ISLNK(info.st_mode):
            continue
        if stat.S_ISDIR(info.st_mode):
            shutil.rmtree(entry.path, ignore_errors=True)
        else:
            Path(entry.path).unlink(missing_ok=True)
