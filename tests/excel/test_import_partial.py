"""只导入无误的行: a sheet with a few bad rows imports its good rows now; the bad rows come back as a sheet in
the file's own columns with 错误说明, to fix and upload again."""

from datetime import date
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from caretrack.models import AuditAction, AuditEvent
from children.importing import commit as importers
from children.models import Child, Parent
from tests.excel.sheets import build_sheet, sheet_rows
from tests.excel.test_import_flow import HEADER, child_row, db_state

pytestmark = pytest.mark.django_db

NAMES = ["张小明", "李小红", "王小刚", "赵小燕", "钱小虎", "孙小丽", "周小军", "吴小梅", "郑小龙", "冯小雪"]


def ten_rows():
    rows = [
        child_row(name=name, birth=date(2015 + i % 3, 1 + i, 2 + i), gender="男" if i % 2 == 0 else "女", seq=20 + i)
        for i, name in enumerate(NAMES)
    ]
    rows[3][4] = "九(9)班"  # 赵小燕: a class the school does not have
    rows[7][6] = "12345"  # 吴小梅: 父亲联系电话 too short
    return rows


def fixed(rows):
    rows = [list(r) for r in rows]
    rows[3][4] = "三(2)班"
    rows[7][6] = "13912345678"
    return rows


def upload(client, content: bytes, name="登记表.xlsx"):
    return client.post(reverse("children:import"), {"file": SimpleUploadedFile(name, content)})


def sheet(rows) -> bytes:
    return build_sheet([HEADER, *rows], title="思蒙镇中心小学留守儿童登记表").getvalue()


def test_the_good_rows_are_imported_and_the_bad_ones_come_back_to_fix_and_import(client, world):
    client.force_login(world.coordinator)
    before = db_state()
    response = upload(client, sheet(ten_rows()))
    preview = response.context["preview"]
    assert (preview.to_create, len(preview.error_rows)) == (8, 2)
    page = response.content.decode()
    assert "只导入无误的行（新建 8，更新 0；跳过有错误的 2 行）" in page
    assert db_state() == before  # a preview writes nothing

    token = response.context["token"]
    response = client.post(reverse("children:import_confirm"), {"token": token, "only_valid": "1"})
    assert response.status_code == 200
    assert "已导入 8 人；2 行有错误未导入" in response.content.decode()
    assert sorted(Child.objects.values_list("name", flat=True)) == sorted(set(NAMES) - {"赵小燕", "吴小梅"})
    event = AuditEvent.objects.get(action=AuditAction.IMPORT)
    assert (event.detail["created"], event.detail["left_out"]) == (8, 2)

    # A second tap of either button saves nothing more.
    again = client.post(reverse("children:import_confirm"), {"token": token, "only_valid": "1"}, follow=True)
    assert "请重新上传" in again.content.decode()
    assert Child.objects.count() == 8

    left_out = client.post(reverse("children:import_left_out"), {"token": response.context["token"]})
    assert left_out.status_code == 200 and "attachment" in left_out["Content-Disposition"]
    rows = sheet_rows(left_out.content)
    assert rows[1] == (*HEADER, "错误说明")
    uploaded = {row[0]: row for row in ten_rows()}
    assert [row[:-1] for row in rows[2:]] == [tuple(uploaded["赵小燕"]), tuple(uploaded["吴小梅"])]
    assert "【班级】本校没有九年级(9)班" in rows[2][-1] and "【父亲联系电话】" in rows[3][-1]

    # The whole sheet once fixed: the two to create, the eight already in (previewed only).
    response = upload(client, sheet(fixed(ten_rows())))
    preview = response.context["preview"]
    assert (preview.to_create, preview.to_update, preview.unchanged, len(preview.error_rows)) == (2, 0, 8, 0)
    assert Child.objects.count() == 8

    # The downloaded sheet, fixed where 错误说明 says, imports the two.
    workbook = load_workbook(BytesIO(left_out.content))
    ws = workbook.active
    ws.cell(row=3, column=HEADER.index("班级") + 1, value="三(2)班")
    ws.cell(row=4, column=HEADER.index("父亲联系电话") + 1, value="13912345678")
    out = BytesIO()
    workbook.save(out)
    response = upload(client, out.getvalue(), name="登记表_未导入的行.xlsx")
    preview = response.context["preview"]
    assert (preview.to_create, len(preview.error_rows), preview.ignored_columns) == (2, 0, [])
    response = client.post(reverse("children:import_confirm"), {"token": response.context["token"]})
    assert response.status_code == 302
    assert Child.objects.count() == 10
    assert Parent.objects.get(child__name="吴小梅", role="father").phone == "13912345678"


def test_a_sheet_without_errors_confirmed_as_only_valid_imports_all_of_it(client, world):
    client.force_login(world.coordinator)
    response = upload(client, sheet(fixed(ten_rows())))
    assert "只导入无误的行" not in response.content.decode()
    response = client.post(reverse("children:import_confirm"), {"token": response.context["token"], "only_valid": "1"})
    assert response.status_code == 302 and Child.objects.count() == 10


def test_a_sheet_of_bad_rows_only_offers_no_partial_import_and_saves_nothing(client, world):
    client.force_login(world.coordinator)
    rows = ten_rows()[3:4]
    response = upload(client, sheet(rows))
    assert "只导入无误的行" not in response.content.decode()
    before = db_state()
    response = client.post(reverse("children:import_confirm"), {"token": response.context["token"], "only_valid": "1"})
    assert "没有可以导入的行" in response.content.decode()
    assert db_state() == before


def test_a_row_that_fails_as_it_is_saved_is_rolled_back_alone_and_left_out(world, monkeypatch):
    importers.commit_import(
        school=world.school, source=BytesIO(sheet(fixed(ten_rows()))), filename="a.xlsx", acting_user=world.coordinator
    )
    changed = fixed(ten_rows())
    for row in changed[:3]:
        row[7] = "江苏苏州"  # 父亲务工地: saved one by one through save_archive
    changed[5][4] = "七(7)班"  # and one bad row
    real_save = importers.save_archive
    calls = []

    def failing_save(**kwargs):
        calls.append(kwargs["child"].name)
        if len(calls) == 2:
            Parent.objects.filter(child=kwargs["child"], role="father").update(employer="写了一半")
            raise importers.ValidationError("模拟的保存失败")
        return real_save(**kwargs)

    monkeypatch.setattr(importers, "save_archive", failing_save)
    outcome = importers.commit_import(
        school=world.school, source=BytesIO(sheet(changed)), filename="b.xlsx", acting_user=world.coordinator,
        only_valid=True,
    )  # fmt: skip
    assert (outcome.created, outcome.updated) == (0, 2)
    assert [(r.name, [e.message for e in r.errors]) for r in outcome.left_out] == [
        ("李小红", ["模拟的保存失败"]),
        ("孙小丽", ["本校没有七年级(7)班，请先由管理员添加该班级，或核对班级"]),
    ]
    father = {p.child.name: p for p in Parent.objects.filter(role="father").select_related("child")}
    assert father["张小明"].work_place == "江苏省苏州市" and father["王小刚"].work_place == "江苏省苏州市"
    assert father["李小红"].work_place == "广东省东莞市" and father["李小红"].employer == ""
    event = AuditEvent.objects.filter(action=AuditAction.IMPORT).latest("pk")
    assert (event.detail["updated"], event.detail["left_out"]) == (2, 2)


def test_the_rows_left_out_of_a_two_level_sheet_come_back_under_the_same_two_header_rows(world):
    from tests.excel.test_import_messy import GROUPS, SUB, messy, row

    bad = row(name="李小红", class_text="三(5)班", number="")
    content = messy([row(), bad, row(name="王小刚", number="", birth="2015.9.1")]).getvalue()
    outcome = importers.commit_import(
        school=world.school, source=BytesIO(content), filename="登记表.xlsx", acting_user=world.coordinator,
        only_valid=True,
    )  # fmt: skip
    assert (outcome.created, [r.name for r in outcome.left_out]) == (2, ["李小红"])
    left = importers.left_out_sheet(source=BytesIO(content), filename="登记表.xlsx", rows=outcome.left_out)
    rows = sheet_rows(left)
    assert rows[1:3] == [(*GROUPS, "错误说明"), (*SUB, None)]
    assert rows[3][:-1] == tuple(v if v != "" else None for v in bad)
    assert rows[3][-1].startswith("原第5行：【年级班级】本校没有三年级(5)班")

    workbook = load_workbook(BytesIO(left))
    workbook.active.cell(row=4, column=len(GROUPS), value="三(2)班")
    out = BytesIO()
    workbook.save(out)
    preview = importers.read_import(school=world.school, source=out, filename="改正后.xlsx")
    assert (preview.to_create, preview.errors, preview.ignored_columns) == (1, [], [])


def test_the_rows_left_out_of_a_workbook_of_class_sheets_come_back_in_their_own_sheet(world):
    from openpyxl import Workbook

    wb = Workbook()
    first = wb.active
    first.title = "三(2)班"
    first.append(["姓名", "性别", "出生日期", "班级", "监护人", "关系", "备注"])
    first.append(["张小明", "男", "2017.3.2", "三(2)班", "张奶奶", "奶奶", "走读"])
    second = wb.create_sheet("四(1)班")
    second.append(["姓名", "性别", "出生日期", "班级", "监护人", "关系", "备注"])
    second.append(["王小刚", "男", "2015.9.1", "四(1)班", "王爷爷", "老乡", "住校"])
    second.append(["李小红", "女", "2016.5.8", "四(1)班", "李外婆", "外婆", ""])
    out = BytesIO()
    wb.save(out)
    content = out.getvalue()
    outcome = importers.commit_import(
        school=world.school, source=BytesIO(content), filename="各班.xlsx", acting_user=world.coordinator,
        only_valid=True,
    )  # fmt: skip
    assert (outcome.created, [(r.sheet, r.row) for r in outcome.left_out]) == (2, [("四(1)班", 2)])
    left = importers.left_out_sheet(source=BytesIO(content), filename="各班.xlsx", rows=outcome.left_out)
    assert load_workbook(BytesIO(left)).sheetnames == ["四(1)班"]
    rows = sheet_rows(left)
    assert rows[1:] == [
        ("姓名", "性别", "出生日期", "班级", "监护人", "关系", "备注", "错误说明"),
        ("王小刚", "男", "2015.9.1", "四(1)班", "王爷爷", "老乡", "住校", rows[2][-1]),
    ]
    assert "【关系】无法识别的与儿童关系：老乡" in rows[2][-1]
