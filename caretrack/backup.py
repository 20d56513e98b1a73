"""Backup and restore of the whole database, while the app keeps running.

SQLite: the sqlite3 online backup API copies the live file page by page inside one read transaction, so
the copy is consistent even while teachers write (WAL lets them go on writing meanwhile).
PostgreSQL: pg_dump in its custom format (one consistent snapshot), pg_restore --clean to bring it back.

Uploaded files (activity photos under MEDIA_ROOT) go into a tar.gz beside the database copy, with the
same name and the suffix .media.tar.gz, so that a restored database finds its photos again.

The management commands `backup` and `restore` are thin wrappers around these functions.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connections
from django.utils import timezone

from caretrack.models import AuditEvent, School


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message is shown to the operator (Chinese)."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    engine: str
    media_path: Path | None = None


def _vendor(using: str) -> str:
    vendor = connections[using].vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"不支持的数据库类型：{vendor}")
    return vendor


def _sqlite_path(using: str) -> Path:
    name = str(connections[using].settings_dict["NAME"])
    if not name or name == ":memory:" or name.startswith("file:"):
        raise BackupError("内存数据库无法备份，请使用数据库文件（SQLITE_PATH）。")
    return Path(name)


def _timestamped(out_dir: Path, stem: str, suffix: str) -> Path:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    path = out_dir / f"{stem}-{stamp}{suffix}"
    counter = 2
    while path.exists():
        path = out_dir / f"{stem}-{stamp}-{counter}{suffix}"
        counter += 1
    return path


def default_backup_dir() -> Path:
    return Path(os.environ.get("BACKUP_DIR", settings.BASE_DIR / "backups"))


def media_archive_for(path: Path) -> Path:
    """The uploaded files' archive that belongs to a database backup."""
    return path.with_name(path.name.rsplit(".", 1)[0] + ".media.tar.gz")


def backup_database(
    *, out_dir: Path | None = None, using: str = "default", media: bool = True, prefix: str = "caretrack"
) -> BackupResult:
    """Write a consistent, timestamped copy of the database into out_dir (and, with media=True, the
    uploaded files beside it) and return its path. Files appear under their final names only once
    they are complete."""
    out_dir = Path(out_dir or default_backup_dir())
    out_dir.mkdir(parents=True, exist_ok=True)
    vendor = _vendor(using)
    if vendor == "sqlite":
        source = _sqlite_path(using)
        if not source.exists():
            raise BackupError(f"数据库文件不存在：{source}")
        final = _timestamped(out_dir, f"{prefix}-{source.stem}", ".sqlite3")
        _sqlite_backup(source, final)
    else:
        final = _timestamped(out_dir, f"{prefix}-{connections[using].settings_dict['NAME']}", ".dump")
        _pg_dump(using, final)
    media_path = _archive_media(media_archive_for(final)) if media else None
    return BackupResult(path=final, size=final.stat().st_size, engine=vendor, media_path=media_path)


def _archive_media(archive: Path) -> Path | None:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir() or not any(root.iterdir()):
        return None
    partial = archive.with_name(archive.name + ".partial")
    try:
        with tarfile.open(partial, "w:gz") as tar:
            for child in sorted(root.iterdir()):
                tar.add(child, arcname=child.name)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise BackupError(f"上传文件备份失败（{error}），请检查磁盘空间后重试。") from error
    partial.replace(archive)
    return archive


def _restore_media(archive: Path) -> None:
    """Unpack next to MEDIA_ROOT, then swap directories; the files that were there are kept aside
    (MEDIA_ROOT.before-restore-<time>) rather than deleted."""
    root = Path(settings.MEDIA_ROOT)
    root.parent.mkdir(parents=True, exist_ok=True)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    incoming = root.with_name(f"{root.name}.restoring-{stamp}")
    with tarfile.open(archive, "r:gz") as tar:
        tar.extractall(incoming, filter="data")
    if root.exists():
        root.replace(root.with_name(f"{root.name}.before-restore-{stamp}"))
    incoming.replace(root)


def _sqlite_backup(source: Path, final: Path) -> None:
    partial = final.with_name(final.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(source, timeout=30)
    dest = sqlite3.connect(partial)
    try:
        # pages=-1: the whole database in one step, i.e. one read snapshot of the live file.
        src.backup(dest)
        # A backup is one self-contained file: no -wal/-shm beside it.
        dest.execute("PRAGMA journal_mode=DELETE")
        _check_sqlite(dest, partial)
    except sqlite3.Error as error:
        dest.close()
        partial.unlink(missing_ok=True)  # never leave half a backup that looks like one
        raise BackupError(f"备份失败（{error}），请检查磁盘空间后重试。") from error
    finally:
        dest.close()
        src.close()
    partial.replace(final)


def _check_sqlite(conn: sqlite3.Connection, path: Path) -> None:
    try:
        result = conn.execute("PRAGMA quick_check").fetchone()[0]
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} 不是有效的 SQLite 数据库：{error}") from error
    if result != "ok":
        raise BackupError(f"{path} 已损坏：{result}")
    if "django_migrations" not in tables:
        raise BackupError(f"{path} 不是 CareTrack 的数据库备份（没有 django_migrations 表）。")


def _pg_env_and_args(using: str) -> tuple[dict, list[str]]:
    conf = connections[using].settings_dict
    env = dict(os.environ)
    if conf.get("PASSWORD"):
        env["PGPASSWORD"] = str(conf["PASSWORD"])
    options = conf.get("OPTIONS") or {}
    if options.get("sslmode"):
        env["PGSSLMODE"] = str(options["sslmode"])
    args = []
    if conf.get("HOST"):
        args += ["--host", str(conf["HOST"])]
    if conf.get("PORT"):
        args += ["--port", str(conf["PORT"])]
    if conf.get("USER"):
        args += ["--username", str(conf["USER"])]
    return env, args + ["--dbname", str(conf["NAME"])]


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"找不到 {name}，请安装 PostgreSQL 客户端（如 apt-get install postgresql-client）。")
    return found


def _pg_dump(using: str, final: Path) -> None:
    partial = final.with_name(final.name + ".partial")
    env, args = _pg_env_and_args(using)
    command = [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", "--file", str(partial), *args]
    completed = subprocess.run(command, env=env, capture_output=True, text=True)
    if completed.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BackupError(f"pg_dump 失败：{completed.stderr.strip()}")
    partial.replace(final)


# Models whose rows only people create (migrate fills content types, permissions and the region
# reference data by itself, so those do not make a database "in use"). The core lists its own; the
# archive adds Child in ChildrenConfig.ready().
_DATA_MODELS: list = []


def register_data_model(model) -> None:
    if model not in _DATA_MODELS:
        _DATA_MODELS.append(model)


def _data_tables() -> list[str]:
    return [model._meta.db_table for model in (User, School, AuditEvent, *_DATA_MODELS)]


def database_has_data(using: str = "default") -> bool:
    """True when the database holds users, schools, children or audit rows."""
    connection = connections[using]
    with connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
        for table in _data_tables():
            if table not in existing:
                continue
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")
            if cursor.fetchone():
                return True
    return False


def restore_database(
    *, path: Path, using: str = "default", overwrite: bool = False, media: bool = True, safety_copy: bool = True
) -> Path | None:
    """Replace the database's contents with the backup at path (and, with media=True, the uploaded files
    with the archive beside it, when there is one). Refuses (BackupError) when the file is not a backup
    or when the database already holds data, unless overwrite=True; in that case the data being
    replaced is first saved beside the backup (caretrack-before-restore-…), and that path is returned."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"备份文件不存在：{path}")
    vendor = _vendor(using)
    if vendor == "sqlite":
        _validate_sqlite_backup(path)
        target = _sqlite_path(using)
        has_data = target.exists() and target.stat().st_size > 0 and database_has_data(using)
    else:
        _validate_pg_dump(path)
        has_data = database_has_data(using)
    if has_data and not overwrite:
        raise BackupError("当前数据库中已有数据，恢复会覆盖全部现有数据。确认无误后请加 --yes 重新运行。")
    safety = None
    if has_data and safety_copy:
        safety = backup_database(out_dir=path.parent, using=using, media=False, prefix="caretrack-before-restore").path
    connections[using].close()
    if vendor == "sqlite":
        _sqlite_restore(path, target)
    else:
        _pg_restore(using, path)
    if media and media_archive_for(path).is_file():
        _restore_media(media_archive_for(path))
    return safety


def _validate_sqlite_backup(path: Path) -> None:
    src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        _check_sqlite(src, path)
    finally:
        src.close()


def _validate_pg_dump(path: Path) -> None:
    listing = subprocess.run([_pg_tool("pg_restore"), "--list", str(path)], capture_output=True, text=True)
    if listing.returncode != 0:
        raise BackupError(f"{path} 不是有效的 pg_dump 备份文件：{listing.stderr.strip()}")


def _sqlite_restore(path: Path, target: Path) -> None:
    src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        dest = sqlite3.connect(target, timeout=30)
        try:
            # The backup API writes into the live file under its own lock: other connections (WAL
            # included) see the old database or the restored one, never a mixture.
            src.backup(dest)
        except sqlite3.Error as error:
            raise BackupError(f"恢复失败，数据库未改变（{error}）。请稍后重试，或先停止应用。") from error
        finally:
            dest.close()
    finally:
        src.close()


def _pg_restore(using: str, path: Path) -> None:
    env, args = _pg_env_and_args(using)
    command = [
        _pg_tool("pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        *args,
        str(path),
    ]
    completed = subprocess.run(command, env=env, capture_output=True, text=True)
    if completed.returncode != 0:
        raise BackupError(f"pg_restore 失败：{completed.stderr.strip()}")
