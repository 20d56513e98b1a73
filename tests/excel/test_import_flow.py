"""Upload → preview → confirm in the browser, the command-line import, atomicity and idempotency."""

from datetime import date
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import IntegrityError
from django.urls import reverse

from caretrack import bulk
from caretrack.models import AuditAction, AuditEvent
from children.importing import commit as importers
from children.importing import reading
from children.models import Child, FamilyAssessment, Guardian, LeftBehindPeriod, LeftBehindType, Parent
from tests.excel.sheets import build_sheet, sheet_rows
from tests.factories import valid_id_number

pytestmark = pytest.mark.django_db

HEADER = ["姓名", "性别", "出生日期", "身份证号", "班级", "父亲姓名", "父亲联系电话", "父亲务工地", "母亲姓名",
          "母亲联系电话", "母亲务工地", "监护人姓名", "与儿童关系", "监护人联系电话", "监护类型"]  # fmt: skip


def child_row(name="张小明", birth=date(2017, 3, 2), gender="男", seq=7, **kw):
    number = kw.get("id_number", valid_id_number(birth, "M" if gender == "男" else "F", seq))
    return [name, gender, birth.strftime("%Y.%-m.%-d"), number, kw.get("class_text", "三(2)班"),
            "张建国", "139 1234 5678", kw.get("f_place", "广东东莞"), "李秀兰", "13712345678", "浙江义乌",
            kw.get("g_name", "张奶奶"), "奶奶", "0745-3221234", "监护情况一般"]  # fmt: skip


def three_children(**overrides):
    return [
        child_row(),
        child_row(name="李小红", birth=date(2016, 5, 8), gender="女", seq=3),
        child_row(name="王小刚", birth=date(2015, 9, 1), seq=11, **overrides),
    ]


def upload(client, rows, name="登记表.xlsx"):
    content = build_sheet([HEADER, *rows], title="思蒙镇中心小学留守儿童登记表").getvalue()
    return client.post(reverse("children:import"), {"file": SimpleUploadedFile(name, content)})


def db_state():
    """Everything an import may touch, to prove a failed one leaves it exactly as it was."""
    return {
        "children": list(Child.objects.order_by("pk").values()),
        "parents": list(Parent.objects.order_by("pk").values()),
        "guardians": list(Guardian.objects.order_by("pk").values()),
        "assessments": list(FamilyAssessment.objects.order_by("pk").values()),
        "periods": list(LeftBehindPeriod.objects.order_by("pk").values()),
        "history": (Child.history.count(), Parent.history.count(), Guardian.history.count()),
        "audit": AuditEvent.objects.count(),
    }


def test_coordinator_previews_then_confirms_and_the_archive_names_the_importer_and_the_file(client, world):
    client.force_login(world.coordinator)
    response = upload(client, three_children())
    assert response.status_code == 200
    preview = response.context["preview"]
    assert (preview.to_create, preview.to_update, len(preview.error_rows)) == (3, 0, 0)
    assert not Child.objects.exists()  # the preview writes nothing
    page = response.content.decode()
    assert "确认导入（新建 3，更新 0）" in page

    response = client.post(reverse("children:import_confirm"), {"token": response.context["token"]})
    assert response.status_code == 302 and response["Location"] == reverse("children:list")
    child = Child.objects.get(name="张小明")
    assert child.left_behind_type == LeftBehindType.BOTH_AWAY
    assert child.parents.get(role="father").work_place == "广东省东莞市"
    assert child.guardians.get().phone == "0745-3221234"
    last = child.history.latest()
    assert last.history_user == world.coordinator and last.history_change_reason == "Excel导入：登记表.xlsx"
    father_history = Parent.history.filter(child_id=child.pk).latest()
    assert father_history.history_user == world.coordinator
    event = AuditEvent.objects.get(action=AuditAction.IMPORT)
    assert event.user == world.coordinator and event.school == world.school
    assert event.detail["filename"] == "登记表.xlsx" and event.detail["created"] == 3
    assert len(event.detail["sha256"]) == 64

    # A double submit of the same confirmation is refused; nothing is created twice.
    response = client.post(reverse("children:import_confirm"), {"token": "0" * 32}, follow=True)
    assert "请重新上传" in response.content.decode()
    assert Child.objects.count() == 3


def test_importing_the_same_file_twice_creates_nothing_new(client, world):
    client.force_login(world.coordinator)
    first = upload(client, three_children())
    client.post(reverse("children:import_confirm"), {"token": first.context["token"]})
    before = db_state()
    second = upload(client, three_children())
    preview = second.context["preview"]
    assert (preview.to_create, preview.to_update, preview.unchanged) == (0, 0, 3)
    assert not preview.can_commit
    assert "表中的学生都已在系统中" in second.content.decode()
    assert db_state()["children"] == before["children"]


def test_a_changed_sheet_updates_the_matched_children_only(client, world):
    client.force_login(world.coordinator)
    first = upload(client, three_children())
    client.post(reverse("children:import_confirm"), {"token": first.context["token"]})
    rows = three_children(f_place="江苏苏州")
    rows[0][3] = ""  # no ID number this time: matched by name + birth date
    second = upload(client, rows)
    preview = second.context["preview"]
    assert [r.action for r in preview.rows] == ["unchanged", "unchanged", "update"]
    assert preview.rows[2].changes == ["父亲务工省份", "父亲务工城市"]
    client.post(reverse("children:import_confirm"), {"token": second.context["token"]})
    assert Child.objects.count() == 3
    assert Parent.objects.get(child__name="王小刚", role="father").work_place == "江苏省苏州市"


def test_a_sheet_with_an_error_row_cannot_be_confirmed_and_changes_nothing(client, world):
    client.force_login(world.coordinator)
    rows = three_children(class_text="九(9)班")
    response = upload(client, rows)
    preview = response.context["preview"]
    assert [str(e) for e in preview.errors] == ["第5行【班级】本校没有九年级(9)班，请先由管理员添加该班级，或核对班级"]
    assert not preview.can_commit and "只导入无误的行（新建 2，更新 0；跳过有错误的 1 行）" in response.content.decode()
    before = db_state()
    token = response.context["token"]
    report = client.post(reverse("children:import_errors"), {"token": token})
    assert sheet_rows(report.content)[1:] == [
        ("工作表", "行号", "列", "问题"),
        ("留守儿童", 5, "班级", "本校没有九年级(9)班，请先由管理员添加该班级，或核对班级"),
    ]
    response = client.post(reverse("children:import_confirm"), {"token": token})
    assert response.status_code == 200 and "请先改正下列错误的行" in response.content.decode()
    assert db_state() == before


def test_a_failure_half_way_through_the_commit_leaves_the_database_exactly_as_it_was(world, monkeypatch):
    importers.commit_import(
        school=world.school, source=BytesIO(build_sheet([HEADER, *three_children()]).getvalue()),
        filename="a.xlsx", acting_user=world.coordinator,
    )  # fmt: skip
    before = db_state()
    # Two new children (bulk-created first), then three updates; the second update fails.
    rows = [*three_children(), child_row(name="赵一", seq=21), child_row(name="钱二", seq=23)]
    for row in rows[:3]:
        row[7] = "江苏苏州"  # 父亲务工地
    real_save = importers.save_archive
    calls = []

    def failing_save(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            raise importers.ValidationError("模拟的保存失败")
        return real_save(**kwargs)

    monkeypatch.setattr(importers, "save_archive", failing_save)
    with pytest.raises(importers.ImportRejected) as rejected:
        importers.commit_import(
            school=world.school, source=BytesIO(build_sheet([HEADER, *rows]).getvalue()), filename="b.xlsx",
            acting_user=world.coordinator,
        )  # fmt: skip
    assert [str(e) for e in rejected.value.preview.errors] == ["第3行【档案】模拟的保存失败"]
    assert len(calls) == 2
    assert db_state() == before


def test_a_database_error_while_creating_in_bulk_leaves_nothing_behind(world, monkeypatch):
    real_insert = bulk.insert

    def broken(model, objs, **kwargs):  # the 留守 periods, written after the children, parents and guardians
        if model is LeftBehindPeriod:
            raise IntegrityError("UNIQUE constraint failed")
        return real_insert(model, objs, **kwargs)

    monkeypatch.setattr(bulk, "insert", broken)
    before = db_state()
    with pytest.raises(importers.ImportRejected, match="请重新上传预览"):
        importers.commit_import(
            school=world.school, source=BytesIO(build_sheet([HEADER, *three_children()]).getvalue()),
            filename="b.xlsx", acting_user=world.coordinator,
        )  # fmt: skip
    assert db_state() == before


def test_wrong_file_type_too_large_or_no_header_gets_one_clear_message(client, world, settings, monkeypatch):
    client.force_login(world.coordinator)
    response = client.post(reverse("children:import"), {"file": SimpleUploadedFile("名单.docx", b"PK\x03\x04")})
    assert "只能导入 Excel 表格文件（.xlsx、.xls、.ods、.csv" in response.content.decode()
    response = client.post(reverse("children:import"), {"file": SimpleUploadedFile("名单.xls", b"\xd0\xcf\x11\xe0")})
    assert "无法读取该 .xls 文件" in response.content.decode()
    monkeypatch.setattr(reading, "MAX_UPLOAD_BYTES", 1000)
    response = upload(client, three_children())
    assert "文件过大" in response.content.decode()
    monkeypatch.undo()
    response = client.post(reverse("children:import"), {"file": SimpleUploadedFile("假的.xlsx", b"not a zip")})
    assert "无法读取该文件" in response.content.decode()
    monkeypatch.setattr(reading, "MAX_UNPACKED_BYTES", 1000)
    response = upload(client, three_children())
    assert "解压后超过" in response.content.decode()
    monkeypatch.undo()
    no_header = build_sheet([["春季学期工作安排"], ["一、开学准备"]]).getvalue()
    response = client.post(reverse("children:import"), {"file": SimpleUploadedFile("计划.xlsx", no_header)})
    assert "没有找到表头" in response.content.decode()
    assert not Child.objects.exists() and not AuditEvent.objects.filter(action=AuditAction.IMPORT).exists()


def test_the_stored_upload_is_checked_against_its_hash_before_confirming(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.coordinator)
    response = upload(client, three_children())
    token = response.context["token"]
    stored = tmp_path / "imports" / f"{token}.xlsx"
    stored.write_bytes(build_sheet([HEADER, child_row(name="偷换的")]).getvalue())
    response = client.post(reverse("children:import_confirm"), {"token": token}, follow=True)
    assert "请重新上传" in response.content.decode()
    assert not Child.objects.exists()


def test_another_school_cannot_confirm_my_upload(client, world):
    client.force_login(world.coordinator)
    token = upload(client, three_children()).context["token"]
    client.force_login(world.other_principal)
    response = client.post(reverse("children:import_confirm"), {"token": token}, follow=True)
    assert "请重新上传" in response.content.decode()
    assert not Child.objects.exists()


def test_import_command_dry_run_prints_the_row_report_and_writes_nothing(world, tmp_path, capsys):
    path = tmp_path / "登记表.xlsx"
    path.write_bytes(build_sheet([HEADER, *three_children(class_text="三(7)班")]).getvalue())
    with pytest.raises(CommandError, match="请先改正"):
        call_command("import_children", str(path), "--school", str(world.school.pk))
    out = capsys.readouterr().out
    assert "第4行【班级】本校没有三年级(7)班" in out
    path.write_bytes(build_sheet([HEADER, *three_children()]).getvalue())
    call_command("import_children", str(path), "--school", str(world.school.pk), "--dry-run")
    out = capsys.readouterr().out
    assert "新建 3，更新 0，无变化 0，有错误 0" in out and "试运行" in out
    assert not Child.objects.exists()
    call_command("import_children", str(path), "--school", str(world.school.pk), "--user", world.principal.username)
    assert "新建 3 人" in capsys.readouterr().out
    assert Child.objects.count() == 3
    assert Child.history.filter(history_user=world.principal).count() >= 3


def test_a_new_school_year_sheet_moves_children_to_their_new_class_in_one_go(world):
    from tests.excel.archives import make_archive

    moved = make_archive(world, "张小明")
    stays = make_archive(world, "李小红", birth=date(2016, 5, 8), gender="F", seq=3)
    rows = [
        ["张小明", "男", "2017.3.2", valid_id_number(), "四(1)班"],
        ["李小红", "女", "2016.5.8", valid_id_number(date(2016, 5, 8), "F", 3), "三(2)班"],
    ]
    sheet = build_sheet([["姓名", "性别", "出生日期", "身份证号", "班级"], *rows]).getvalue()
    outcome = importers.commit_import(
        school=world.school, source=BytesIO(sheet), filename="新学年.xlsx", acting_user=world.coordinator
    )
    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 1, 1)
    moved.refresh_from_db()
    assert moved.school_class == world.other_class
    last = moved.history.latest()
    assert (last.history_type, last.history_user, last.history_change_reason) == (
        "~",
        world.coordinator,
        "Excel导入：新学年.xlsx",
    )
    assert last.school_class_id == world.other_class.pk
    assert stays.history.count() == 1  # created (already classified): the import did not touch it


def test_a_child_whose_type_changes_on_import_keeps_the_periods_right(world):
    from tests.excel.archives import make_archive

    child = make_archive(world, "王大刚", birth=date(2011, 1, 5), seq=9)  # left-behind, turns 16 in 2027
    assert child.left_behind_periods.get().end_date is None
    number = valid_id_number(date(2011, 1, 5), "M", 9)
    sheet = build_sheet(
        [["姓名", "性别", "出生日期", "身份证号", "班级"], ["王大刚", "男", "2011.1.5", number, "四(1)班"]]
    )
    importers.commit_import(
        school=world.school, source=BytesIO(sheet.getvalue()), filename="x.xlsx", acting_user=world.coordinator,
        today=date(2027, 2, 1),
    )  # fmt: skip
    child.refresh_from_db()
    assert child.school_class == world.other_class and child.left_behind_type == LeftBehindType.NOT_LEFT_BEHIND
    # The type changed at the 16th birthday (5 January 2027), not on the day the sheet came in.
    period = child.left_behind_periods.get()
    assert (period.end_date, period.end_reason) == (date(2027, 1, 4), "年满16周岁")
