"""What a phone needs to install the platform and keep working offline: the service worker at the root
scope, the web app manifest with icons that exist, and pages that say whether the phone may keep them."""

import json
from datetime import timedelta

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from tests.factories import ChildFactory, PairingFactory

pytestmark = pytest.mark.django_db


def test_the_service_worker_is_served_at_the_root_for_anyone(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    script = response.content.decode()
    config = json.loads(script.split("\n", 1)[0].removeprefix("self.CARETRACK = ").removesuffix(";"))
    assert config["loginUrl"] == reverse("login") and config["outboxScript"].endswith("outbox-store.js")
    assert len(config["version"]) == 12
    assert 'addEventListener("fetch"' in script and 'addEventListener("sync"' in script


def test_the_workers_version_changes_with_its_files(client, tmp_path, monkeypatch):
    from caretrack import offline_views

    before = json.loads(client.get("/sw.js").content.decode().split("\n", 1)[0][len("self.CARETRACK = ") : -1])
    for name in offline_views.WORKER_FILES:
        (tmp_path / name).write_bytes((offline_views.SOURCE / name).read_bytes() + b"\n// changed\n")
    monkeypatch.setattr(offline_views, "SOURCE", tmp_path)
    script = offline_views._worker_script()
    after = json.loads(script.split("\n", 1)[0][len("self.CARETRACK = ") : -1])
    assert after["version"] != before["version"]


def test_the_manifest_names_the_platform_and_its_icons_exist(client):
    response = client.get(reverse("web_manifest"))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/manifest+json")
    manifest = json.loads(response.content)
    assert manifest["name"] == "关爱留守儿童工作平台" and manifest["short_name"] in ("CareTrack", "关爱平台")
    assert manifest["start_url"] == reverse("home") and manifest["display"] == "standalone"
    assert manifest["theme_color"].startswith("#")
    sizes = set()
    for icon in manifest["icons"]:
        path = finders.find(icon["src"].removeprefix("/static/"))
        assert path, icon["src"]
        with Image.open(path) as image:
            assert f"{image.width}x{image.height}" == icon["sizes"] and image.format == "PNG"
        sizes.add(icon["sizes"])
    assert {"192x192", "512x512"} <= sizes and any(i["purpose"] == "maskable" for i in manifest["icons"])


def test_the_login_page_links_the_manifest_and_has_no_user(client):
    html = client.get(reverse("login")).content.decode()
    assert f'rel="manifest" href="{reverse("web_manifest")}"' in html
    assert "data-user=" not in html and "js/offline.js" in html  # offline.js forgets the cached pages there


def test_every_teacher_page_carries_the_outbox_badge(client, world):
    client.force_login(world.mentor)
    html = client.get(reverse("mentoring:my_students")).content.decode()
    assert 'id="outbox-badge"' in html and 'id="outbox-rejected"' in html and "data-logout" in html
    assert f'data-user="{world.mentor.pk}" data-service-worker="/sw.js"' in html


@pytest.fixture
def child(world):
    from caretrack.models import Term

    today = timezone.localdate()
    Term.objects.filter(school=world.school).update(
        start_date=today - timedelta(days=60), end_date=today + timedelta(days=60)
    )
    child = ChildFactory(school_class=world.school_class, left_behind_type="both_away", id_number="110101201501011234")
    PairingFactory(child=child, mentor=world.mentor, start_date=today - timedelta(days=30))
    return child


def test_a_child_page_with_full_identifiers_may_not_be_kept_by_the_phone(client, world, child):
    """The class teacher sees full ID numbers (audited): the page is sent no-store, which the worker obeys."""
    client.force_login(world.class_teacher)
    response = client.get(reverse("children:detail", args=[child.pk]))
    assert child.id_number in response.content.decode()
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_a_child_page_with_masked_identifiers_may_be_kept(client, world, child):
    client.force_login(world.mentor)
    response = client.get(reverse("children:detail", args=[child.pk]))
    assert child.id_number not in response.content.decode()
    assert "no-store" not in response.get("Cache-Control", "")
