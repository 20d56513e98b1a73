"""Backup and restore round trips: what was backed up comes back exactly, on SQLite (always) and on
PostgreSQL (when DATABASE_URL points to one). The commands run in subprocesses against a real database
file or a fresh database, as an operator would run them."""

import json
import os
import sqlite3
import stat
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.reliability.helpers import (
    ROOT,
    copy_sqlite,
    fresh_postgres_database,
    manage,
    postgres_env,
    postgres_url,
    sqlite_env,
)

# Printed as JSON by `manage.py shell`: counts of every table that matters and the field values a
# lost or half-restored row would change.
SNAPSHOT = """
import json
from django.contrib.auth.models import User
from caretrack.models import AuditEvent, School, Term
from children.models import Child, LeftBehindPeriod
from children.models import FamilyAssessment, Guardian, Parent
from mentoring.models import Pairing, Talk
models = {"talk": Talk, "user": User, "school": School, "term": Term, "child": Child, "period": LeftBehindPeriod,
          "parent": Parent, "guardian": Guardian, "assessment": FamilyAssessment, "pairing": Pairing,
          "audit": AuditEvent, "child_history": Child.history.model, "guardian_history": Guardian.history.model}
print(json.dumps({
    "counts": {name: model.objects.count() for name, model in models.items()},
    "children": list(Child.objects.order_by("pk").values_list(
        "pk", "name", "id_number", "birth_date", "left_behind_type", "interests", "school_class_id")),
    "parents": list(Parent.objects.order_by("pk").values_list("pk", "child_id", "name", "away_status", "phone")),
    "guardians": list(Guardian.objects.order_by("pk").values_list("pk", "child_id", "name", "relation", "phone")),
    "pairings": list(Pairing.objects.order_by("pk").values_list(
        "pk", "child_id", "mentor_id", "external_mentor_id", "start_date", "end_date")),
    "child_history": list(Child.history.order_by("history_id").values_list(
        "history_id", "id", "interests", "history_type", "history_date")),
    "talks": list(Talk.all_objects.order_by("pk").values_list("pk", "child_id", "author_id", "date", "text")),
    "users": list(User.objects.order_by("pk").values_list("pk", "username", "password")),
}, default=str, ensure_ascii=False))
"""

# Changes that make history rows before the backup (bulk-created demo data has none).
MAKE_HISTORY = """
from children.models import Child
from children.models import Guardian
for child in Child.objects.order_by("pk")[:4]:
    child.interests = "围棋"
    child.save()
for guardian in Guardian.objects.order_by("pk")[:2]:
    guardian.phone = "13900001111"
    guardian.save()
"""

# What happens after the backup and must be undone by the restore: deletions (cascading to parents,
# guardians, pairings), edits with history, a new row.
MUTATE = """
from caretrack.models import AuditEvent
from children.models import Child
from mentoring.models import Pairing, Talk
for child in Child.objects.order_by("-pk")[:5]:
    child.delete()
for child in Child.objects.order_by("pk")[:3]:
    child.name = child.name + "改"
    child.save()
Pairing.objects.filter(pk__in=Pairing.objects.order_by("pk").values("pk")[:2]).delete()
AuditEvent.objects.create(action="export", target="备份之后的导出")
Talk.objects.filter(pk=Talk.objects.order_by("pk").values("pk")[:1]).update(text="改过的谈心记录")
"""


def snapshot(env, *, after: str = "") -> dict:
    """Run `after` (changes), then print the snapshot: one interpreter start instead of two."""
    return json.loads(manage(env, "shell", "-c", after + SNAPSHOT).stdout.strip().splitlines()[-1])


def _round_trip(env, backup_dir: Path, suffix: str, *, migrate: bool = True, after_backup=None) -> None:
    if migrate:
        manage(env, "migrate", "--noinput", "-v0")
    manage(env, "seed_demo", "--schools", "1", "--children", "60", "--teachers", "20")
    before = snapshot(env, after=MAKE_HISTORY)
    assert before["counts"]["child"] == 60
    assert before["counts"]["pairing"] > 0 and before["counts"]["guardian"] > 0 and before["counts"]["talk"] > 0
    assert before["counts"]["child_history"] >= 4 and before["counts"]["guardian_history"] >= 2

    out = manage(env, "backup", "-o", str(backup_dir)).stdout
    path = Path(out.strip().splitlines()[-1])
    assert path.parent == backup_dir and path.name.endswith(suffix) and path.stat().st_size > 0
    assert not list(backup_dir.glob("*.partial"))
    assert _mode(backup_dir) == 0o700 and _mode(path) == 0o600

    if after_backup:
        after_backup()
    changed = snapshot(env, after=MUTATE)
    assert changed["counts"]["child"] == 55 and changed != before

    refused = manage(env, "restore", str(path), check=False)
    assert refused.returncode != 0
    assert "已有数据" in refused.stderr and "--yes" in refused.stderr
    assert snapshot(env) == changed  # refusing changed nothing

    restored = manage(env, "restore", str(path), "--yes").stdout
    assert snapshot(env) == before
    # What the restore replaced was saved first, in case the wrong file was chosen.
    (safety,) = backup_dir.glob(f"caretrack-before-restore-*{suffix}")
    assert str(safety) in restored and _mode(safety) == 0o600
    if suffix == ".sqlite3":
        with sqlite3.connect(safety) as conn:
            assert conn.execute("SELECT count(*) FROM children_child").fetchone()[0] == 55


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_sqlite_backup_round_trip_loses_nothing(tmp_path, migrated_sqlite):
    env = sqlite_env(copy_sqlite(migrated_sqlite, tmp_path / "school.sqlite3"))
    media = tmp_path / "media"
    env["MEDIA_ROOT"] = str(media)
    (media / "activities" / "2026" / "11").mkdir(parents=True)
    (media / "activities" / "2026" / "11" / "班会.jpg").write_bytes(b"\xff\xd8 photo one")
    photos_at_backup = {}

    def change_photos():
        photos_at_backup.update(_files(media))  # the seeded demo photos and ours, as backed up
        (media / "activities" / "2026" / "11" / "班会.jpg").unlink()
        (media / "activities" / "2026" / "11" / "后来的.jpg").write_bytes(b"later")

    _round_trip(env, tmp_path / "backups", ".sqlite3", migrate=False, after_backup=change_photos)
    assert len(photos_at_backup) > 1 and _files(media) == photos_at_backup
    # The files that were replaced are kept aside, not deleted.
    (kept,) = tmp_path.glob("media.before-restore-*")
    assert "后来的.jpg" in str(list(kept.rglob("*.jpg")))


def test_sqlite_backup_restores_into_a_new_empty_file_without_yes(tmp_path, migrated_sqlite):
    env = sqlite_env(copy_sqlite(migrated_sqlite, tmp_path / "school.sqlite3"))
    manage(env, "seed_demo", "--schools", "1", "--children", "18", "--teachers", "20")
    path = Path(manage(env, "backup", "-o", str(tmp_path)).stdout.strip().splitlines()[-1])
    before = snapshot(env)
    # A machine rebuilt after a disk failure: an empty, migrated database takes the backup without --yes.
    new_env = sqlite_env(copy_sqlite(migrated_sqlite, tmp_path / "new.sqlite3"))
    manage(new_env, "restore", str(path))
    assert snapshot(new_env) == before


def test_sqlite_backup_is_consistent_while_the_app_writes(tmp_path, migrated_sqlite):
    """A writer commits pairs of rows as fast as it can while backups run: every copy holds whole pairs."""
    db_path = copy_sqlite(migrated_sqlite, tmp_path / "busy.sqlite3")
    env = sqlite_env(db_path)
    writer_code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'caretrack.settings'); django.setup()\n"
        "from django.db import transaction\nfrom caretrack.models import AuditEvent\n"
        "for i in range(100000):\n"
        "    with transaction.atomic():\n"
        "        AuditEvent.objects.create(action='export', target=f'a{i}')\n"
        "        AuditEvent.objects.create(action='export', target=f'b{i}')\n"
    )
    writer = subprocess.Popen([sys.executable, "-c", writer_code], cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 30
        while _audit_rows(db_path) == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        copies = []
        for _ in range(2):
            copies.append(Path(manage(env, "backup", "-o", str(tmp_path / "b")).stdout.strip().splitlines()[-1]))
    finally:
        writer.kill()
        writer.wait()
    counts = []
    for copy in copies:
        with sqlite3.connect(copy) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        counts.append(_audit_rows(copy))
    assert all(count % 2 == 0 and count > 0 for count in counts), counts


def _audit_rows(path: Path) -> int:
    with sqlite3.connect(path, timeout=10) as conn:
        return conn.execute("SELECT count(*) FROM caretrack_auditevent").fetchone()[0]


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path, migrated_sqlite):
    env = sqlite_env(copy_sqlite(migrated_sqlite, tmp_path / "school.sqlite3"))
    bogus = tmp_path / "not-a-backup.sqlite3"
    bogus.write_text("hello")
    result = manage(env, "restore", str(bogus), "--yes", check=False)
    assert result.returncode != 0 and "SQLite" in result.stderr
    missing = manage(env, "restore", str(tmp_path / "missing.sqlite3"), check=False)
    assert missing.returncode != 0 and "不存在" in missing.stderr


def test_backup_of_the_in_memory_test_database_is_refused_with_a_message(db, tmp_path, settings):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the in-memory case exists on SQLite only")
    with pytest.raises(CommandError, match="内存数据库"):
        call_command("backup", "-o", str(tmp_path))


@pytest.mark.skipif(not postgres_url(), reason="DATABASE_URL does not point to PostgreSQL")
def test_postgres_backup_round_trip_loses_nothing(tmp_path):
    with fresh_postgres_database(postgres_url(), "backup") as url:
        _round_trip(postgres_env(url, tmp_path / "media"), tmp_path / "backups", ".dump")


def test_backup_without_a_directory_goes_to_backup_dir_with_a_timestamp(tmp_path, migrated_sqlite):
    env = sqlite_env(copy_sqlite(migrated_sqlite, tmp_path / "school.sqlite3"))
    env["BACKUP_DIR"] = str(tmp_path / "nightly")
    first = Path(manage(env, "backup").stdout.strip().splitlines()[-1])
    second = Path(manage(env, "backup").stdout.strip().splitlines()[-1])
    assert first.parent == second.parent == tmp_path / "nightly"
    assert first != second  # two backups in the same second get distinct names
    assert first.name.startswith("caretrack-school-20") and first.suffix == ".sqlite3"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _backup(env, out_dir: Path) -> Path:
    return Path(manage(env, "backup", "-o", str(out_dir)).stdout.strip().splitlines()[-1])


def _media_archive(path: Path) -> Path:
    return path.with_name(path.name.rsplit(".", 1)[0] + ".media.tar.gz")


def test_backups_are_readable_by_their_owner_only(tmp_path, migrated_sqlite):
    env = sqlite_env(copy_sqlite(migrated_sqlite, tmp_path / "school.sqlite3"))
    photo = Path(env["MEDIA_ROOT"]) / "activities" / "班会.jpg"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"\xff\xd8 photo")
    old_umask = os.umask(0o002)  # a lax umask, as on many servers: the backup must not depend on it
    try:
        path = _backup(env, tmp_path / "srv" / "backups")
    finally:
        os.umask(old_umask)
    assert _mode(path) == 0o600 and _mode(_media_archive(path)) == 0o600
    # Both directories the backup had to create.
    assert _mode(tmp_path / "srv") == 0o700 and _mode(tmp_path / "srv" / "backups") == 0o700


def test_rosters_waiting_for_confirmation_are_left_out_of_the_media_backup(tmp_path, migrated_sqlite):
    env = sqlite_env(copy_sqlite(migrated_sqlite, tmp_path / "school.sqlite3"))
    media = Path(env["MEDIA_ROOT"])
    (media / "imports").mkdir(parents=True)
    (media / "imports" / f"{'a' * 32}.xlsx").write_bytes(b"a roster with every ID number")
    (media / "activities").mkdir()
    (media / "activities" / "班会.jpg").write_bytes(b"\xff\xd8 photo")
    path = _backup(env, tmp_path / "backups")
    with tarfile.open(_media_archive(path)) as tar:
        names = tar.getnames()
    assert "activities/班会.jpg" in names and not [n for n in names if n.startswith("imports")]

    # A restore does not keep them either, not even among the files it sets aside.
    manage(sqlite_env(copy_sqlite(migrated_sqlite, tmp_path / "school.sqlite3")), "restore", str(path))
    assert (media / "activities" / "班会.jpg").exists() and not (media / "imports").exists()
    (kept,) = tmp_path.glob("school-media.before-restore-*")
    assert not list(kept.rglob("*.xlsx"))
    (media / "imports").mkdir()
    (media / "imports" / f"{'b' * 32}.xlsx").write_bytes(b"a roster uploaded after the restore")

    # With only pending rosters in MEDIA_ROOT there is nothing to archive.
    (media / "activities" / "班会.jpg").unlink()
    (media / "activities").rmdir()
    assert not _media_archive(_backup(env, tmp_path / "later")).exists()


def _truncated_media_archive_changes_nothing(env, backup_dir: Path) -> None:
    media = Path(env["MEDIA_ROOT"])
    manage(env, "seed_demo", "--schools", "1", "--children", "18", "--teachers", "20")
    (media / "activities").mkdir(parents=True, exist_ok=True)
    (media / "activities" / "大照片.jpg").write_bytes(os.urandom(256 * 1024))  # does not compress
    path = _backup(env, backup_dir)
    archive = _media_archive(path)
    archive.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])  # a copy cut short
    changed = snapshot(env, after=MUTATE)
    files = _files(media)

    result = manage(env, "restore", str(path), "--yes", check=False)
    assert result.returncode != 0 and "无法完整读取" in result.stderr and "未改变" in result.stderr
    assert snapshot(env) == changed
    assert _files(media) == files
    assert not list(media.parent.glob(f"{media.name}.*"))  # nothing unpacked or moved aside
    assert not list(backup_dir.glob("caretrack-before-restore-*"))


def test_sqlite_restore_with_a_truncated_media_archive_changes_nothing(tmp_path, migrated_sqlite):
    env = sqlite_env(copy_sqlite(migrated_sqlite, tmp_path / "school.sqlite3"))
    _truncated_media_archive_changes_nothing(env, tmp_path / "backups")


@pytest.mark.skipif(not postgres_url(), reason="DATABASE_URL does not point to PostgreSQL")
def test_postgres_restore_with_a_truncated_media_archive_changes_nothing(tmp_path):
    with fresh_postgres_database(postgres_url(), "media") as url:
        env = postgres_env(url, tmp_path / "media")
        manage(env, "migrate", "--noinput", "-v0")
        _truncated_media_archive_changes_nothing(env, tmp_path / "backups")


def _sqlite_with(path: Path, *statements: str) -> Path:
    with sqlite3.connect(path) as conn:
        for statement in statements:
            conn.execute(statement)
    conn.close()
    return path


def test_restore_refuses_a_database_that_is_not_this_projects_and_changes_nothing(tmp_path, migrated_sqlite):
    env = sqlite_env(copy_sqlite(migrated_sqlite, tmp_path / "school.sqlite3"))
    manage(env, "seed_demo", "--schools", "1", "--children", "18", "--teachers", "20")
    good = _backup(env, tmp_path / "backups")
    before = snapshot(env)
    other_site = _sqlite_with(
        tmp_path / "other-site.sqlite3",
        "CREATE TABLE django_migrations (id integer PRIMARY KEY, app text, name text, applied datetime)",
        "INSERT INTO django_migrations (app, name, applied) VALUES ('contenttypes', '0001_initial', '2026-01-01'),"
        " ('auth', '0001_initial', '2026-01-01'), ('blog', '0001_initial', '2026-01-01')",
        "CREATE TABLE blog_post (id integer PRIMARY KEY, title text)",
    )
    newer = _sqlite_with(
        copy_sqlite(good, tmp_path / "newer.sqlite3"),
        "INSERT INTO django_migrations (app, name, applied) VALUES ('children', '9999_later', '2027-01-01')",
    )
    damaged = _sqlite_with(copy_sqlite(good, tmp_path / "damaged.sqlite3"), "DROP TABLE mentoring_talk")
    for bad, message in [(other_site, "不是 CareTrack 的数据库备份"), (newer, "更新版本"), (damaged, "mentoring_talk")]:
        result = manage(env, "restore", str(bad), "--yes", check=False)
        assert result.returncode != 0 and message in result.stderr, (bad, result.stderr)
    assert snapshot(env) == before
    assert not list((tmp_path / "backups").glob("caretrack-before-restore-*"))


@pytest.mark.skipif(not postgres_url(), reason="DATABASE_URL does not point to PostgreSQL")
def test_postgres_restore_refuses_another_sites_dump_and_changes_nothing(tmp_path):
    psycopg = pytest.importorskip("psycopg")
    with (
        fresh_postgres_database(postgres_url(), "ours") as url,
        fresh_postgres_database(postgres_url(), "other") as other,
    ):
        with psycopg.connect(other, autocommit=True) as conn:
            conn.execute(
                "CREATE TABLE django_migrations (id integer PRIMARY KEY, app text, name text, applied timestamptz)"
            )
            conn.execute(
                "INSERT INTO django_migrations (id, app, name, applied) VALUES"
                " (1, 'contenttypes', '0001_initial', now()), (2, 'auth', '0001_initial', now()),"
                " (3, 'blog', '0001_initial', now())"
            )
            conn.execute("CREATE TABLE blog_post (id integer PRIMARY KEY, title text)")
        dump = tmp_path / "other-site.dump"
        subprocess.run(["pg_dump", "--format=custom", "--file", str(dump), other], check=True, capture_output=True)
        env = postgres_env(url, tmp_path / "media")
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "seed_demo", "--schools", "1", "--children", "18", "--teachers", "20")
        before = snapshot(env)
        result = manage(env, "restore", str(dump), "--yes", check=False)
        assert result.returncode != 0 and "不是 CareTrack 的数据库备份" in result.stderr, result.stderr
        assert snapshot(env) == before
