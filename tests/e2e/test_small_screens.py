"""On a phone (390×844) the photo and table pages stay usable: every 删除 under a photo (an activity's, a
photo waiting on the activity form, a home visit's) is a 44×44 px target and nothing there is under 24×24;
the audit table keeps 操作人 on one line (the table scrolls sideways instead of squeezing it into one
character a line); the import preview's 重新上传 stays a button wider than it is tall."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from tests.e2e.test_tap_targets import small_targets

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def jpeg_bytes(color="orange") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 900), color).save(buffer, "JPEG")
    return buffer.getvalue()


def photo_upload(name="p.jpg", color="orange"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, jpeg_bytes(color), content_type="image/jpeg")


def boxes(page, selector: str) -> list[dict]:
    return page.eval_on_selector_all(
        selector,
        "els => els.map(el => { const b = el.getBoundingClientRect(); return {w: b.width, h: b.height}; })",
    )


def test_every_photo_delete_is_44_px_and_nothing_on_the_photo_pages_is_under_24_px(
    page, browser_login, world, live_server, tmp_path
):
    from activities import services as activity_services
    from mentoring import services as mentoring_services
    from mentoring.models import HomeVisit
    from tests.factories import ActivityFactory, ChildFactory, PairingFactory

    activity = ActivityFactory(school=world.school, title="中秋节慰问", kind="festival")
    activity_services.add_activity_photos(
        activity=activity, photos=[photo_upload("a.jpg"), photo_upload("b.jpg", "blue")], acting_user=world.coordinator
    )
    child = ChildFactory(school_class=world.school_class, left_behind_type="both_away", name="王小花")
    PairingFactory(child=child, mentor=world.mentor, start_date=timezone.localdate() - timedelta(days=30))
    visit = mentoring_services.create_log(
        model=HomeVisit,
        child=child,
        data={"date": timezone.localdate(), "kind": "opening", "met_whom": "奶奶王秀英", "text": "家中整洁。"},
        author=world.mentor,
        photos=[photo_upload("home.jpg")],
    )
    found = {}

    browser_login(page, world.coordinator)
    page.goto(live_server.url + reverse("activities:detail", args=[activity.pk]))
    page.wait_for_load_state("load")  # the photos are in: a link around a photo is the photo's size
    deletes = boxes(page, "figcaption button")
    assert len(deletes) == 2 and all(b["w"] >= 44 and b["h"] >= 44 for b in deletes), deletes
    found["activity page"] = small_targets(page)

    # The activity form comes back with an error (no title): the chosen photos wait with their 删除.
    page.goto(live_server.url + reverse("activities:create"))
    picture = tmp_path / "chosen.jpg"
    picture.write_bytes(jpeg_bytes("green"))
    page.locator("input[name=photos]").set_input_files(str(picture))
    page.get_by_role("button", name="保存活动").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.get_by_text("请填写活动名称。").first.is_visible()
    pending = boxes(page, "[data-pending-remove]")
    assert len(pending) == 1 and pending[0]["w"] >= 44 and pending[0]["h"] >= 44, pending
    assert page.eval_on_selector("#pending-photos img", "img => img.naturalWidth") > 0  # the thumbnail loads
    page.locator("[data-pending-remove]").click()  # the page's script takes it off without sending the form
    assert page.locator("[data-pending-photo]").count() == 0

    page.context.clear_cookies()
    browser_login(page, world.mentor)
    page.goto(live_server.url + reverse("mentoring:visit_edit", args=[visit.pk]))
    remove = boxes(page, "label.btn-photo-remove")
    assert len(remove) == 1 and remove[0]["w"] >= 44 and remove[0]["h"] >= 44, remove
    found["visit form"] = small_targets(page)
    page.goto(live_server.url + reverse("children:detail", args=[child.pk]))
    assert page.eval_on_selector(".photo-thumb", "img => img.naturalWidth") > 0
    found["child page"] = small_targets(page)
    assert not any(found.values()), found


def test_the_audit_table_keeps_its_short_columns_on_one_line(page, browser_login, world, live_server):
    from caretrack import audit
    from caretrack.models import AuditAction

    for i in range(5):
        audit.record(
            user=world.coordinator,
            action=AuditAction.EXPORT,
            target=f"导出留守儿童台账（三年级(2)班、四年级(1)班，共 {40 + i} 名学生，含监护人联系电话与父母务工地）",
            school=world.school,
        )
    browser_login(page, world.principal)
    page.goto(live_server.url + reverse("caretrack:audit"))
    lines = page.evaluate("""() => [...document.querySelectorAll('table th, table tbody td:not(:last-child)')]
        .map(cell => {
          const range = document.createRange();
          range.selectNodeContents(cell);
          const text = range.getBoundingClientRect();
          const line = parseFloat(getComputedStyle(cell).lineHeight);
          return {text: cell.innerText.trim(), lines: Math.round(text.height / line)};
        })""")
    header = next(c for c in lines if c["text"] == "操作人")
    assert header["lines"] == 1, header
    assert all(c["lines"] == 1 for c in lines), [c for c in lines if c["lines"] != 1]
    # The wide table scrolls inside its wrapper instead of widening the page.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    assert not small_targets(page)


def test_the_import_previews_reupload_button_is_wider_than_tall(page, browser_login, world, live_server, tmp_path):
    from tests.excel.test_import_messy import messy, row

    sheet = tmp_path / "登记表.xlsx"
    sheet.write_bytes(messy([row(), row(name="李小红", gender="女", birth="2015.13.1", number="")]).getvalue())
    browser_login(page, world.coordinator)
    page.goto(f"{live_server.url}/children/import/")
    page.get_by_label("Excel 文件（.xlsx、.xls、.ods、.csv）").set_input_files(str(sheet))
    page.get_by_role("button", name="上传并预览").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.get_by_role("button", name="只导入无误的行").is_visible()  # the long button beside it
    button = page.get_by_role("link", name="重新上传").bounding_box()
    assert button["width"] > button["height"] and button["height"] >= 44, button
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    assert not small_targets(page)
