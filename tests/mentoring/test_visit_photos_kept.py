"""Photos chosen on a 家访 form are not lost when the form comes back with an error (a wrong date): they wait as
pending photos of the mentor (thumbnails with 删除 on the returned form, the phone's client_key kept) and are
attached once on the corrected save; nothing is saved while the form is refused, and nobody else can see a
pending photo."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mentoring.models import HomeVisit, HomeVisitPhoto, LogSubmission
from tests.factories import PairingFactory, StaffFactory
from tests.mentoring.photo_helpers import jpeg, paired_child, visit_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def child(world):
    return paired_child(world)


def tomorrow() -> str:
    return (timezone.localdate() + timedelta(days=1)).isoformat()


def pending_tokens(html: str) -> list[str]:
    return re.findall(r'name="pending_photos" value="([0-9a-f]{32})"', html)


def test_a_visit_with_a_wrong_date_keeps_its_photo_and_the_corrected_save_attaches_it_once(client, world, child):
    client.force_login(world.mentor)
    url = reverse("mentoring:visit_create", args=[child.pk])
    key = str(uuid.uuid4())
    refused = client.post(url, visit_data(date=tomorrow(), client_key=key, photos=[jpeg()]))
    html = refused.content.decode()
    assert refused.status_code == 200 and "日期不能晚于今天。" in html
    assert not HomeVisit.objects.exists() and not HomeVisitPhoto.objects.exists()  # nothing half-written
    assert not LogSubmission.objects.exists()
    tokens = pending_tokens(html)
    assert len(tokens) == 1 and "已选的照片" in html and html.count("data-pending-remove") == 1
    assert f'value="{key}"' in html  # the phone's key comes back: a retry of this 保存 is still recognised
    thumb = reverse("mentoring:pending_visit_photo", args=[tokens[0]])
    assert f'src="{thumb}"' in html and "pending-photos.js" in html
    served = client.get(thumb)
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert served["Cache-Control"] == "private, no-store"

    saved = client.post(url, visit_data(client_key=key, pending_photos=tokens))
    assert saved.status_code == 302
    visit = HomeVisit.objects.get()
    assert visit.photos.count() == 1 and max(visit.photos.get().width, visit.photos.get().height) == 1600
    # The outbox sending the same 保存 again, tokens and all: the visit saved the first time, no second photo.
    again = client.post(url, visit_data(client_key=key, pending_photos=tokens))
    assert again.status_code == 302 and HomeVisit.objects.count() == 1 and HomeVisitPhoto.objects.count() == 1
    assert client.get(thumb).status_code == 404  # attached, so no longer pending


def test_a_kept_photo_and_a_new_one_are_both_attached(client, world, child):
    client.force_login(world.mentor)
    url = reverse("mentoring:visit_create", args=[child.pk])
    tokens = pending_tokens(client.post(url, visit_data(met_whom="", photos=[jpeg()])).content.decode())
    assert len(tokens) == 1 and not HomeVisit.objects.exists()
    client.post(url, visit_data(pending_photos=tokens, photos=[jpeg("b.jpg", color=(10, 200, 10))]))
    assert HomeVisit.objects.get().photos.count() == 2


def test_deleting_a_kept_photo_drops_it(client, world, child):
    client.force_login(world.mentor)
    url = reverse("mentoring:visit_create", args=[child.pk])
    html = client.post(url, visit_data(date=tomorrow(), photos=[jpeg("a.jpg"), jpeg("b.jpg")])).content.decode()
    tokens = pending_tokens(html)
    assert len(tokens) == 2
    # 删除 without the page's script sends the form naming the photo: it is dropped and nothing is saved.
    dropped = client.post(url, visit_data(pending_photos=tokens, discard_photo=tokens[0]))
    assert dropped.status_code == 200 and pending_tokens(dropped.content.decode()) == [tokens[1]]
    assert not HomeVisit.objects.exists()
    assert client.get(reverse("mentoring:pending_visit_photo", args=[tokens[0]])).status_code == 404
    # Even named again, the dropped photo is not attached.
    client.post(url, visit_data(pending_photos=tokens))
    assert HomeVisit.objects.get().photos.count() == 1


def test_the_edit_form_keeps_its_photos_too(client, world, child):
    client.force_login(world.mentor)
    client.post(reverse("mentoring:visit_create", args=[child.pk]), visit_data())
    visit = HomeVisit.objects.get()
    url = reverse("mentoring:visit_edit", args=[visit.pk])
    html = client.post(url, visit_data(date=tomorrow(), photos=[jpeg()])).content.decode()
    assert "日期不能晚于今天。" in html and visit.photos.count() == 0
    tokens = pending_tokens(html)
    assert client.post(url, visit_data(pending_photos=tokens)).status_code == 302
    assert visit.photos.count() == 1


def test_nobody_else_sees_or_attaches_a_pending_photo(client, world, child):
    client.force_login(world.mentor)
    url = reverse("mentoring:visit_create", args=[child.pk])
    tokens = pending_tokens(client.post(url, visit_data(date=tomorrow(), photos=[jpeg()])).content.decode())
    thumb = reverse("mentoring:pending_visit_photo", args=[tokens[0]])
    colleague = StaffFactory(school=world.school, user__first_name="王老师").user
    PairingFactory(child=child, mentor=colleague, is_secondary=True, start_date=timezone.localdate())
    other = Client()  # the mentor's own session (the one naming the photo) stays logged in meanwhile
    for persona in (colleague, world.coordinator, world.principal, world.other_teacher, world.bureau):
        other.force_login(persona)
        assert other.get(thumb).status_code == 404
    other.force_login(colleague)
    assert other.post(url, visit_data(pending_photos=tokens)).status_code == 302
    assert HomeVisit.objects.get().photos.count() == 0  # another's token attaches nothing
    assert client.get(thumb).status_code == 200  # still the mentor's own
    assert client.get(reverse("mentoring:pending_visit_photo", args=["not-a-token"])).status_code == 404
