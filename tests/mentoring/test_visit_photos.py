"""家访照片: a mentor adds up to three photos to a home visit and sees them as thumbnails on the visit and in
the child's 成长档案; the photos are served only to whom may read the visit (a child's home is private),
have no public media URL, never go into the 转学档案 PDF, and a file that is not a photo is refused in
Chinese with everything typed kept."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from caretrack.models import AuditEvent
from mentoring.models import HomeVisit, HomeVisitPhoto
from tests.factories import PairingFactory, StaffFactory
from tests.mentoring.photo_helpers import jpeg, paired_child, visit_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def child(world):
    return paired_child(world)


def post_visit(client, child, **extra):
    return client.post(reverse("mentoring:visit_create", args=[child.pk]), visit_data(**extra))


def photo_urls(html: str) -> list[str]:
    return re.findall(r'src="(/mentoring/visit-photos/\d+/thumbnail/)"', html)


def test_a_mentor_adds_photos_to_a_visit_and_sees_them_on_the_childs_page(client, world, child):
    client.force_login(world.mentor)
    response = post_visit(client, child, photos=[jpeg("a.jpg"), jpeg("b.png", color=(10, 200, 10))])
    assert response.status_code == 302
    visit = HomeVisit.objects.get(child=child)
    photos = list(visit.photos.all())
    assert len(photos) == 2
    # Shrunk for a phone, re-encoded without the GPS position, with a thumbnail.
    with Image.open(photos[0].image.open("rb")) as image:
        assert max(image.size) == 1600 and image.format == "JPEG" and 0x8825 not in image.getexif()
    with Image.open(photos[0].thumbnail.open("rb")) as thumb:
        assert max(thumb.size) == 320

    page = client.get(reverse("children:detail", args=[child.pk])).content.decode()
    thumbs = photo_urls(page)
    assert thumbs == [reverse("mentoring:visit_photo_thumbnail", args=[p.pk]) for p in photos]
    served = client.get(thumbs[0])
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert served["Cache-Control"] == "private, max-age=3600"
    detail = client.get(reverse("mentoring:visit_detail", args=[visit.pk])).content.decode()
    assert reverse("mentoring:visit_photo", args=[photos[0].pk]) in detail
    chronology = client.get(reverse("mentoring:chronology", args=[child.pk])).content.decode()
    assert len(photo_urls(chronology)) == 2
    event = AuditEvent.objects.filter(target__contains="家访").latest("pk")
    assert event.detail.get("photos") == [p.pk for p in photos]


def test_the_visit_form_takes_files(client, world, child):
    client.force_login(world.mentor)
    html = client.get(reverse("mentoring:visit_create", args=[child.pk])).content.decode()
    assert 'enctype="multipart/form-data"' in html and 'name="photos"' in html and "最多3张" in html
    talk = client.get(reverse("mentoring:talk_create", args=[child.pk])).content.decode()
    assert 'name="photos"' not in talk


def test_a_visit_photo_has_no_public_address(world, child):
    visit = HomeVisit.objects.create(
        child=child, author=world.mentor, date=timezone.localdate(), met_whom="奶奶", text="好"
    )
    photo = HomeVisitPhoto(visit=visit)
    photo.image.save("x.jpg", jpeg(), save=False)
    with pytest.raises(ValueError):
        photo.image.url  # noqa: B018  (a template that reached for .url would fail, not leak a link)


@pytest.mark.parametrize("persona", ["other_teacher", "other_principal", "class_teacher", "bureau"])
def test_whoever_may_not_read_the_visit_gets_404_on_its_photo(client, world, child, persona):
    client.force_login(world.mentor)
    post_visit(client, child, photos=[jpeg()])
    photo = HomeVisitPhoto.objects.get()
    client.force_login(getattr(world, persona))
    assert client.get(reverse("mentoring:visit_photo", args=[photo.pk])).status_code == 404
    assert client.get(reverse("mentoring:visit_photo_thumbnail", args=[photo.pk])).status_code == 404


@pytest.mark.parametrize("persona", ["mentor", "coordinator", "principal"])
def test_who_may_read_the_visit_sees_its_photo(client, world, child, persona):
    client.force_login(world.mentor)
    post_visit(client, child, photos=[jpeg()])
    photo = HomeVisitPhoto.objects.get()
    client.force_login(getattr(world, persona))
    assert client.get(reverse("mentoring:visit_photo", args=[photo.pk])).status_code == 200


def test_a_photo_of_a_visit_that_raised_a_sensitive_concern_is_hidden_like_the_visit(client, world, child):
    client.force_login(world.mentor)
    post_visit(client, child, photos=[jpeg()], flag_concern="on", concern_category="abuse", concern_description="疑似")
    photo = HomeVisitPhoto.objects.get()
    second_mentor = StaffFactory(school=world.school, user__first_name="王老师").user
    PairingFactory(child=child, mentor=second_mentor, is_secondary=True, start_date=timezone.localdate())
    client.force_login(second_mentor)
    assert client.get(reverse("children:detail", args=[child.pk])).status_code == 200  # sees the child
    assert client.get(reverse("mentoring:visit_photo", args=[photo.pk])).status_code == 404  # not this visit


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("notes.pdf", b"%PDF-1.4 not a photo"), "“notes.pdf”无法识别为图片"),
        (SimpleUploadedFile("big.jpg", b"\xff" * (10 * 1024 * 1024 + 1)), "请上传10 MB以内的照片"),
    ],
)
def test_a_file_that_is_not_a_photo_is_refused_in_chinese_and_the_typed_visit_is_kept(
    client, world, child, upload, message
):
    client.force_login(world.mentor)
    response = post_visit(client, child, photos=[jpeg("ok.jpg"), upload])
    html = response.content.decode()
    assert response.status_code == 200 and message in html
    assert "奶奶王秀英" in html and "家中整洁，孩子有书桌。" in html and "与奶奶同住" in html
    assert not HomeVisit.objects.exists() and not HomeVisitPhoto.objects.exists()


def test_a_visit_keeps_at_most_three_photos(client, world, child):
    client.force_login(world.mentor)
    response = post_visit(client, child, photos=[jpeg(f"{i}.jpg") for i in range(4)])
    assert "每次家访最多保存3张照片" in response.content.decode()
    assert not HomeVisit.objects.exists()


def test_editing_a_visit_removes_one_photo_and_adds_another(client, world, child):
    client.force_login(world.mentor)
    post_visit(client, child, photos=[jpeg("a.jpg"), jpeg("b.jpg")])
    visit = HomeVisit.objects.get()
    first, second = visit.photos.all()
    edit = reverse("mentoring:visit_edit", args=[visit.pk])
    form = client.get(edit).content.decode()
    assert reverse("mentoring:visit_photo_thumbnail", args=[first.pk]) in form and "删除" in form
    response = client.post(edit, visit_data(remove_photos=[first.pk], photos=[jpeg("c.jpg")]))
    assert response.status_code == 302
    assert [p.pk for p in visit.photos.all()] != [first.pk, second.pk]
    assert visit.photos.count() == 2 and not visit.photos.filter(pk=first.pk).exists()
    event = AuditEvent.objects.latest("pk")
    assert event.detail["photos_removed"] == [first.pk] and "photos" in event.detail["fields"]


def test_the_transfer_archive_pdf_carries_no_photo(client, world, child):
    client.force_login(world.mentor)
    post_visit(client, child, photos=[jpeg()])
    client.force_login(world.coordinator)
    response = client.post(reverse("reports:transfer_pdf", args=[child.pk]))
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert "奶奶王秀英" in "".join(page.extract_text() for page in reader.pages)  # the visit itself is there
    assert all(not page.images for page in reader.pages)


def test_the_admin_lists_visit_photos_without_showing_them(admin_client, client, world, child):
    client.force_login(world.mentor)
    post_visit(client, child, photos=[jpeg()])
    photo = HomeVisitPhoto.objects.get()
    assert admin_client.get(reverse("admin:mentoring_homevisitphoto_changelist")).status_code == 200
    change = admin_client.get(reverse("admin:mentoring_homevisitphoto_change", args=[photo.pk]))
    assert change.status_code == 200 and photo.image.name not in change.content.decode()
