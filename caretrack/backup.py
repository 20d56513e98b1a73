"""Backup and restore of the whole database, while the app keeps running. Kept in one module (past 400
lines) because every restore check (schema, migrations, media archive) must run before anything is touched,
for SQLite and PostgreSQL alike, and reads best next to the operations it guards.

SQLite: the sqlite3 online backup API copies the live file page by page inside one read transaction, so
the copy is consistent even while teachers write (WAL lets them go on writing meanwhile).
PostgreSQL: pg_dump in its custom format (one consistent snapshot), pg_restore --clean to bring it back.

Uploaded files (activity photos under MEDIA_ROOT) go into a tar.gz beside the database copy, with the
same name and the suffix .media.tar.gz, so that a restored database finds its photos again. Rosters
uploaded for import and waiting for confirmation (MEDIA_ROOT/imports, see children/excel_views.py) are
left out: whole classes' ID numbers, of no use once the preview has expired.

Backups hold every child's full ID number: files are written readable by their owner only (0o600), and
directories the backup creates are 0o700.

A restore checks everything before it changes anything: that the database file is this project's schema
(its django_migrations rows name this project's apps and only migrations this code knows, and it has the
tables those migrations create) and that the uploaded files' archive reads to its end (it is unpacked
beside MEDIA_ROOT first). Only then is the database replaced and the unpacked files swapped in.

The management commands `backup` and `restore` are thin wrappers around these functions.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from caretrack.models import AuditEvent, School


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message is shown to the operator (Chinese)."""


# Top-level folders of MEDIA_ROOT that never go into a backup: uploaded rosters waiting for their
# confirm step (children/excel_views.py stores them as MEDIA_ROOT/imports/<token>.xlsx), and photos
# waiting on a form that came back with an error (caretrack.uploads.PendingPhotos, MEDIA_ROOT/pending_photos).
EXCLUDED_MEDIA = frozenset({"imports", "pending_photos"})


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


def _private_dir(path: Path) -> None:
    """Create path and its missing parents readable by the owner only; existing ones are left alone."""
    missing = []
    while not path.exists():
        missing.append(path)
        path = path.parent
    for directory in reversed(missing):
        directory.mkdir(mode=0o700, exist_ok=True)
        directory.chmod(0o700)  # whatever the umask


def _private_file(path: Path) -> Path:
    """An empty file only its owner may read and write, made before any data is written into it."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    path.chmod(0o600)
    return path


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
    _private_dir(out_dir)
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
    entries = sorted(p for p in root.iterdir() if p.name not in EXCLUDED_MEDIA) if root.is_dir() else []
    if not entries:
        return None
    partial = archive.with_name(archive.name + ".partial")
    try:
        with _private_file(partial).open("wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            for child in entries:
                tar.add(child, arcname=child.name)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise BackupError(f"上传文件备份失败（{error}），请检查磁盘空间后重试。") from error
    partial.replace(archive)
    return archive


def _unpack_media(archive: Path) -> Path:
    """Unpack the archive next to MEDIA_ROOT (MEDIA_ROOT.restoring-<time>) and return that directory.
    Every member is read to its end and the gzip stream to its checksum, so a truncated or damaged
    archive fails here, before the database or MEDIA_ROOT is touched; nothing is left behind then."""
    root = Path(settings.MEDIA_ROOT)
    root.parent.mkdir(parents=True, exist_ok=True)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    incoming = root.with_name(f"{root.name}.restoring-{stamp}")
    shutil.rmtree(incoming, ignore_errors=True)
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                tar.extract(member, incoming, filter="data")
            while tar.fileobj.read(1 << 20):  # the end-of-archive blocks and the gzip trailer
                pass
    except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
        shutil.rmtree(incoming, ignore_errors=True)
        raise BackupError(
            f"上传文件的备份 {archive} 无法完整读取（{error}），数据库和上传的文件均未改变。"
            "请换用完整的备份，或加 --no-media 只恢复数据库。"
        ) from error
    return incoming


def _swap_media(incoming: Path) -> None:
    """Put the unpacked files in place; the files that were there are kept aside
    (MEDIA_ROOT.before-restore-<time>) rather than deleted."""
    root = Path(settings.MEDIA_ROOT)
    if root.exists():
        # Pending rosters cannot be confirmed against the restored sessions, and kept aside they would
        # outlive the day after which the import page deletes them: they go now.
        for name in EXCLUDED_MEDIA:
            shutil.rmtree(root / name, ignore_errors=True)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        root.replace(root.with_name(f"{root.name}.before-restore-{stamp}"))
    incoming.replace(root)


def _sqlite_backup(source: Path, final: Path) -> None:
    partial = final.with_name(final.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(source, timeout=30)
    dest = sqlite3.connect(_private_file(partial))  # SQLite's journal beside it takes the same mode
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


def _project_apps() -> list[str]:
    """This project's apps (not Django's or third-party ones): those whose code lives in the project
    directory, outside the virtualenv."""
    base, env = Path(settings.BASE_DIR).resolve(), Path(sys.prefix).resolve()
    return [
        config.label
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(base) and not Path(config.path).resolve().is_relative_to(env)
    ]


def _check_schema(path: Path, applied: set[tuple[str, str]], tables: set[str]) -> None:
    """Refuse a database that is not this project's: one whose django_migrations rows lack one of the
    project's apps (another Django site), name a migration this code does not have (a newer version),
    or which lacks a table that its applied migrations create (a damaged or hand-edited file)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    project = [label for label in _project_apps() if label in loader.migrated_apps]
    recorded = {app for app, _ in applied}
    missing = [label for label in project if label not in recorded]
    if missing:
        raise BackupError(
            f"{path} 不是 CareTrack 的数据库备份：其中没有 {'、'.join(missing)} 的迁移记录"
            "（可能是其他网站的数据库）。数据库未改变。"
        )
    unknown = sorted(
        f"{app}.{name}" for app, name in applied if app in project and (app, name) not in loader.graph.nodes
    )
    if unknown:
        raise BackupError(
            f"{path} 来自更新版本的 CareTrack（本程序没有迁移 {'、'.join(unknown[:5])}），"
            "请先升级程序再恢复。数据库未改变。"
        )
    state = loader.project_state(nodes=sorted(key for key in applied if key in loader.graph.nodes), at_end=True)
    expected = {
        model.options.get("db_table") or f"{app}_{name}"
        for (app, name), model in state.models.items()
        if app in project and model.options.get("managed", True) and not model.options.get("proxy")
    }
    absent = sorted(expected - tables)
    if absent:
        raise BackupError(f"{path} 不完整：缺少数据表 {'、'.join(absent[:5])}。数据库未改变。")


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
    partial = _private_file(final.with_name(final.name + ".partial"))  # pg_dump writes into it, mode kept
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
    archive = media_archive_for(path)
    incoming = _unpack_media(archive) if media and archive.is_file() else None
    try:
        safety = None
        if has_data and safety_copy:
            safety = backup_database(
                out_dir=path.parent, using=using, media=False, prefix="caretrack-before-restore"
            ).path
        connections[using].close()
        if vendor == "sqlite":
            _sqlite_restore(path, target)
        else:
            _pg_restore(using, path)
    except BaseException:
        if incoming:
            shutil.rmtree(incoming, ignore_errors=True)
        raise
    if incoming:
        _swap_media(incoming)
    return safety


def _validate_sqlite_backup(path: Path) -> None:
    src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        _check_sqlite(src, path)
        tables = {row[0] for row in src.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        applied = set(src.execute("SELECT app, name FROM django_migrations"))
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} 不是有效的 SQLite 数据库：{error}") from error
    finally:
        src.close()
    _check_schema(path, applied, tables)


# A table's entry in `pg_restore --list`: "215; 1259 16390 TABLE public children_child postgres".
_PG_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE (\S+) (\S+)")


def _validate_pg_dump(path: Path) -> None:
    listing = subprocess.run([_pg_tool("pg_restore"), "--list", str(path)], capture_output=True, text=True)
    if listing.returncode != 0:
        raise BackupError(f"{path} 不是有效的 pg_dump 备份文件：{listing.stderr.strip()}")
    tables = {m.group(2) for m in map(_PG_TABLE.match, listing.stdout.splitlines()) if m}
    if "django_migrations" not in tables:
        raise BackupError(f"{path} 不是 CareTrack 的数据库备份（没有 django_migrations 表）。")
    # The rows of django_migrations, as the COPY block pg_restore would load (tab-separated).
    rows = subprocess.run(
        [_pg_tool("pg_restore"), "--data-only", "--table=django_migrations", "--file=-", str(path)],
        capture_output=True,
        text=True,
    )
    if rows.returncode != 0:
        raise BackupError(f"{path} 不是有效的 pg_dump 备份文件：{rows.stderr.strip()}")
    applied, copying = set(), False
    for line in rows.stdout.splitlines():
        if line.startswith("COPY ") and "django_migrations" in line:
            copying = True
        elif copying and line == "\\.":
            break
        elif copying:
            _, app, name, *_ = line.split("\t")
            applied.add((app, name))
    _check_schema(path, applied, tables)


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
