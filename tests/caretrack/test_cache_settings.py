"""What production gets for the cached figures and the uploaded files (issue 17, item 5), read from
caretrack.settings in a subprocess with the environment an operator sets, and how cached county figures
follow each audited change."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from caretrack import audit
from caretrack.figure_versions import school_versions
from caretrack.models import AuditAction, AuditEvent
from tests.reports.helpers import build_known_school, left_behind_child

ROOT = Path(__file__).resolve().parents[2]

SHOW_SETTINGS = """
import json, django
django.setup()
from django.conf import settings
print(json.dumps({"cache": settings.CACHES["default"], "media": settings.STORAGES["default"]}))
"""


def _production_settings(**env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CACHE_DIR", "AWS_STORAGE_BUCKET_NAME"}}
    base.update(DJANGO_SETTINGS_MODULE="caretrack.settings", DJANGO_DEBUG="0", SECRET_KEY="k" * 50, **env)
    return subprocess.run([sys.executable, "-c", SHOW_SETTINGS], cwd=ROOT, env=base, capture_output=True, text=True)


def _chosen(**env: str) -> dict:
    completed = _production_settings(**env)
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_production_keeps_cached_figures_in_the_database_that_every_app_server_shares():
    chosen = _chosen()
    assert chosen["cache"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert chosen["cache"]["LOCATION"] == "caretrack_cache"
    assert chosen["media"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"


def test_with_redis_url_the_app_servers_share_cached_figures_in_redis():
    chosen = _chosen(REDIS_URL="redis://127.0.0.1:6379/3")
    assert chosen["cache"] == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/3",
    }


def test_a_version_renewed_in_redis_by_one_process_is_what_another_reads():
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError as error:
        pytest.skip(f"no Redis on 127.0.0.1:6379: {error}")
    renew_then_read = """
import django, sys
django.setup()
from django.core.cache import cache
from caretrack.figure_versions import figures_changed, school_versions
school = int(sys.argv[2])
if sys.argv[1] == "renew":
    figures_changed(school)
print(school_versions([school])[school])
if sys.argv[1] == "forget":
    cache.delete_many([f"figures-version:{school}", "figures-version:all"])
"""
    school = str(secrets.randbelow(10**9) + 10**9)  # no real school's id; its key is removed at the end
    env = {k: v for k, v in os.environ.items() if k != "CACHE_DIR"}
    env.update(DJANGO_SETTINGS_MODULE="caretrack.settings", SECRET_KEY="k" * 50, REDIS_URL="redis://127.0.0.1:6379/3")

    def run(step: str) -> str:
        completed = subprocess.run(
            [sys.executable, "-c", renew_then_read, step, school], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert completed.returncode == 0, completed.stderr
        return completed.stdout.strip().splitlines()[-1]

    first = run("read")
    assert run("read") == first  # a version stays until a change
    renewed = run("renew")
    assert renewed != first and run("forget") == renewed


def test_cache_dir_still_puts_the_cached_figures_in_a_directory(tmp_path):
    chosen = _chosen(CACHE_DIR=str(tmp_path))
    assert chosen["cache"]["BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache"


def test_object_storage_without_django_storages_installed_refuses_to_start():
    completed = _production_settings(AWS_STORAGE_BUCKET_NAME="caretrack-media")
    try:
        import storages  # noqa: F401
    except ImportError:
        assert completed.returncode != 0
        assert 'pip install "django-storages[s3]"' in completed.stderr
    else:
        chosen = json.loads(completed.stdout.strip().splitlines()[-1])
        assert chosen["media"]["BACKEND"] == "storages.backends.s3.S3Storage"
        assert chosen["media"]["OPTIONS"]["default_acl"] == "private"
        assert chosen["media"]["OPTIONS"]["querystring_auth"] is True


def test_county_figures_follow_an_audited_change_at_once_and_ignore_a_read(
    client, world, django_capture_on_commit_callbacks
):
    build_known_school(world)
    client.force_login(world.bureau)
    url = reverse("reports:county")

    def left_behind() -> str:
        html = client.get(url).content.decode()
        return html.split('data-figure="left_behind">', 1)[1].split("<", 1)[0]

    before = int(left_behind())
    # A child saved without an audit row (no service does that) is not seen: the figures are cached.
    left_behind_child(world.school_class, name="王早来")
    assert int(left_behind()) == before
    version = school_versions([world.school.pk])[world.school.pk]
    # A new left-behind child as a service saves it, the audit row in the same transaction: on commit the
    # school's figures get a new version, so the next read counts both children.
    with django_capture_on_commit_callbacks(execute=True):
        left_behind_child(world.school_class, name="王新生")
        audit.record(user=world.principal, action=AuditAction.CREATE, target="王新生", school=world.school)
    assert school_versions([world.school.pk])[world.school.pk] != version
    assert int(left_behind()) == before + 2

    renewed = school_versions([world.school.pk])[world.school.pk]
    with django_capture_on_commit_callbacks(execute=True):
        audit.record(user=world.principal, action=AuditAction.VIEW_CHILD, target="王新生", school=world.school)
    assert school_versions([world.school.pk])[world.school.pk] == renewed  # a read keeps the cached figures


def test_a_change_is_saved_and_answered_even_when_the_shared_cache_is_down(
    world, settings, django_capture_on_commit_callbacks, caplog
):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    with django_capture_on_commit_callbacks(execute=True):
        event = audit.record(user=world.principal, action=AuditAction.CREATE, target="王新生", school=world.school)
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    assert "figures_changed" in caplog.text  # logged for the operator, figures lag until the cache is back
