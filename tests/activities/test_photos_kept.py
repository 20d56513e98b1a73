"""Photos chosen on the activity form are not lost when the form comes back with an error: they wait as
pending photos of the user (thumbnails with 删除 on the returned form) and are attached on the successful
save; nothing is saved while the form is refused, and nobody else can see a pending photo."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from PIL import Image

from activities.models import Activity, ActivityPhoto
from tests.factories import ActivityFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def jpeg(name: str, color="orange") -> io.BytesIO:
    upload = io.BytesIO()
    Image.new("RGB", (2400, 1800), color).save(upload, "JPEG")
    upload.seek(0)
    upload.name = name
    return upload


def activity_data(**extra) -> dict:
    return {"title": "中秋节慰问", "kind": "festival", "date": "2026-09-25", "place": "学校食堂", **extra}


def pending_tokens(html: str) -> list[str]:
    return re.findall(r'name="pending_photos" value="([0-9a-f]{32})"', html)


def test_photos_chosen_on_a_form_with_an_error_come_back_and_are_attached_on_save(client, world):
    client.force_login(world.coordinator)
    url = reverse("activities:create")
    refused = client.post(url, activity_data(title="", photos=[jpeg("1.jpg"), jpeg("2.jpg", "blue")]))
    html = refused.content.decode()
    assert refused.status_code == 200 and "请填写活动名称。" in html
    assert not Activity.objects.exists() and not ActivityPhoto.objects.exists()  # nothing half-written
    tokens = pending_tokens(html)
    assert len(tokens) == 2 and "已选的照片" in html and html.count("data-pending-remove") == 2
    thumb = client.get(reverse("activities:pending_photo", args=[tokens[0]]))
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"

    saved = client.post(url, activity_data(pending_photos=tokens, photos=[jpeg("3.jpg", "green")]))
    activity = Activity.objects.get()
    assert saved.status_code == 302 and activity.photos.count() == 3
    assert all(max(p.width, p.height) == 1600 for p in activity.photos.all())
    # Once attached, the pending photos are gone: sending their tokens again attaches nothing more.
    assert client.get(reverse("activities:pending_photo", args=[tokens[0]])).status_code == 404


def test_a_photo_removed_on_the_returned_form_is_not_attached(client, world):
    client.force_login(world.coordinator)
    url = reverse("activities:create")
    tokens = pending_tokens(
        client.post(url, activity_data(title="", photos=[jpeg("1.jpg"), jpeg("2.jpg")])).content.decode()
    )
    # 删除 without the page's script sends the form naming the photo: it is dropped and nothing is saved.
    again = client.post(url, activity_data(pending_photos=tokens, discard_photo=tokens[0]))
    assert again.status_code == 200 and pending_tokens(again.content.decode()) == [tokens[1]]
    assert not Activity.objects.exists()
    client.post(url, activity_data(pending_photos=[tokens[1]]))
    assert Activity.objects.get().photos.count() == 1


def test_a_bad_photo_among_good_ones_is_named_and_the_good_ones_are_kept(client, world):
    client.force_login(world.coordinator)
    bad = io.BytesIO(b"%PDF-1.4 not a photo")
    bad.name = "通知.pdf"
    response = client.post(reverse("activities:create"), activity_data(photos=[jpeg("1.jpg"), bad]))
    html = response.content.decode()
    assert "“通知.pdf”无法识别为图片" in html and html.count("无法识别为图片") == 1
    assert not Activity.objects.exists() and len(pending_tokens(html)) == 1


def test_the_edit_form_keeps_its_photos_too(client, world):
    activity = ActivityFactory(school=world.school, title="安全讲座", kind="lecture", topic="safety")
    client.force_login(world.coordinator)
    url = reverse("activities:edit", args=[activity.pk])
    data = {"title": "安全讲座", "kind": "lecture", "topic": "safety", "date": "2099-01-01"}
    html = client.post(url, {**data, "photos": [jpeg("1.jpg")]}).content.decode()
    assert "不能晚于今天" in html
    tokens = pending_tokens(html)
    client.post(url, {**data, "date": activity.date.isoformat(), "pending_photos": tokens})
    assert activity.photos.count() == 1


def test_nobody_else_sees_or_attaches_a_pending_photo(client, world):
    client.force_login(world.coordinator)
    tokens = pending_tokens(
        client.post(reverse("activities:create"), activity_data(title="", photos=[jpeg("1.jpg")])).content.decode()
    )
    colleague = StaffFactory(school=world.school, is_coordinator=True).user
    client.force_login(colleague)
    assert client.get(reverse("activities:pending_photo", args=[tokens[0]])).status_code == 404
    client.post(reverse("activities:create"), activity_data(pending_photos=tokens))
    assert Activity.objects.get().photos.count() == 0
    client.force_login(world.other_teacher)
    assert client.get(reverse("activities:pending_photo", args=[tokens[0]])).status_code == 404
    assert client.get(reverse("activities:pending_photo", args=["not-a-token"])).status_code == 404


def test_a_pending_photo_left_for_hours_is_cleaned_up_at_the_next_upload(client, world, settings):
    import os
    import time

    from caretrack.uploads import PENDING_PHOTO_SECONDS

    client.force_login(world.coordinator)
    url = reverse("activities:create")
    old = pending_tokens(client.post(url, activity_data(title="", photos=[jpeg("1.jpg")])).content.decode())[0]
    path = settings.MEDIA_ROOT / "pending_photos" / f"{old}.jpg"
    long_ago = time.time() - PENDING_PHOTO_SECONDS - 60
    os.utime(path, (long_ago, long_ago))
    client.post(url, activity_data(title="", photos=[jpeg("2.jpg")]))
    assert not path.exists()
    assert client.get(reverse("activities:pending_photo", args=[old])).status_code == 404
