"""Importing the staff list from Excel: the template, the preview with every row's problems in Chinese,
all-or-nothing confirmation, and a double confirm that creates nothing twice."""

from io import BytesIO

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from caretrack.models import AuditAction, AuditEvent, SchoolClass
from caretrack.services import staff
from caretrack.spreadsheets import SheetFileError
from caretrack.staff_import import StaffRow, parse_class_label, read_staff_sheet

HEADER = ["姓名", "性别", "手机号", "任教班级/班主任", "角色"]


def sheet(*rows, header=HEADER, title_rows=()) -> BytesIO:
    workbook = Workbook()
    ws = workbook.active
    for row in title_rows:
        ws.append(row)
    ws.append(header)
    for row in rows:
        ws.append(list(row))
    out = BytesIO()
    workbook.save(out)
    out.seek(0)
    return out


def upload(content: BytesIO, name="教职工.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content.getvalue())


@pytest.mark.parametrize(
    ("text", "expected"),
    [("三年级(2)班", (3, 2)), ("3年级2班", (3, 2)), ("3-2", (3, 2)), ("三（2）班", (3, 2)), ("初一(3)班", (7, 3)),
     ("四年级十二班", (4, 12)), ("32", None), ("三年级", None)],
)  # fmt: skip
def test_class_names_as_schools_write_them(text, expected):
    assert parse_class_label(text) == expected


def test_preview_reads_names_roles_and_classes(world):
    preview = read_staff_sheet(
        sheet(
            ["王老师", "女", "13911112222", "4-1", "教师"],
            ["赵主任", "男", "", "", "校长、德育主任"],
            ["钱老师", "", "139-1111-3333", "", ""],
        ),
        school=world.school,
    )
    assert preview.errors == [] and preview.can_commit
    wang, zhao, qian = preview.rows
    assert (wang.row, wang.gender, wang.head_of) == (2, "F", world.other_class)
    assert zhao.roles == {"principal", "coordinator"}
    assert (qian.phone, qian.roles) == ("13911113333", {"teacher"})


def test_preview_lists_every_problem_in_chinese(world):
    preview = read_staff_sheet(
        sheet(
            ["", "男", "13911112222", "", ""],  # 2: empty name
            ["王老师", "", "1391111", "", ""],  # 3: bad phone
            ["李老师", "", "13922223333", "", ""],  # 4
            ["张老师", "", "13922223333", "", ""],  # 5: same phone as row 4
            ["周老师", "", "13800000000", "", ""],  # 6: phone of a colleague
            ["吴老师", "", "", "五年级(3)班", ""],  # 7: no such class
            ["郑老师", "", "", "4-1", ""],  # 8
            ["冯老师", "", "", "四年级(1)班", ""],  # 9: class named twice
            ["陈二", "未知", "", "", "门卫"],  # 10: unknown gender and role
        ),
        school=world.school,
    )
    messages = {(e.row, e.column): e.message for e in preview.errors}
    assert messages[(2, "姓名")] == "姓名不能为空"
    assert "11位手机号" in messages[(3, "手机号")]
    assert messages[(5, "手机号")] == "手机号 13922223333 与第4行重复"
    assert "已被本校教职工" in messages[(6, "手机号")]
    assert "本校没有 五年级(3)班" in messages[(7, "任教班级/班主任")]
    assert messages[(9, "任教班级/班主任")] == "四年级(1)班 已在第8行填为班主任"
    assert "无法识别的性别" in messages[(10, "性别")] and "无法识别的角色：门卫" in messages[(10, "角色")]
    assert not preview.can_commit


def test_coordinator_cannot_give_the_principal_role_by_sheet(world):
    preview = read_staff_sheet(sheet(["赵主任", "", "", "", "校长"]), school=world.school, allowed_roles={"teacher"})
    assert [e.message for e in preview.errors] == ["只有校长可以设置“校长”“关爱工作负责人”角色"]


def test_a_file_without_the_header_is_refused(world):
    with pytest.raises(SheetFileError, match="没有找到表头"):
        read_staff_sheet(sheet(["王老师"], header=["名单"]), school=world.school)


def test_header_below_a_title_row_is_found(world):
    preview = read_staff_sheet(
        sheet(["王老师", "女", "", "", ""], title_rows=[["思蒙镇中心小学教职工名单"]]), school=world.school
    )
    assert [(r.row, r.name) for r in preview.rows] == [(3, "王老师")]


def test_more_rows_than_the_limit_are_refused(world):
    rows = [[f"老师{i}", "", "", "", ""] for i in range(201)]
    with pytest.raises(SheetFileError, match="一次最多导入 200 名教职工"):
        read_staff_sheet(sheet(*rows), school=world.school)


def test_import_is_all_or_nothing(world):
    rows = [StaffRow(row=2, name="王老师", phone="13911112222"), StaffRow(row=3, name="李老师", phone="13911112222")]
    with pytest.raises(ValidationError) as error:
        staff.import_staff(school=world.school, rows=rows, acting_user=world.principal)
    assert "第3行 手机号：手机号 13911112222 与第2行重复" in error.value.messages
    assert not User.objects.filter(first_name__in=["王老师", "李老师"]).exists()
    assert not AuditEvent.objects.exists()


def test_import_replaces_a_head_teacher_only_when_confirmed(world):
    rows = [StaffRow(row=2, name="孙老师", head_of=world.school_class)]
    with pytest.raises(ValidationError, match="已有班主任 陈老师"):
        staff.import_staff(school=world.school, rows=rows, acting_user=world.principal)
    [account] = staff.import_staff(school=world.school, rows=rows, acting_user=world.principal, replace_heads=True)
    assert SchoolClass.objects.get(pk=world.school_class.pk).head_teacher == account.user


def test_same_names_in_one_sheet_get_distinct_usernames(world):
    accounts = staff.import_staff(
        school=world.school,
        rows=[StaffRow(row=2, name="张伟"), StaffRow(row=3, name="张伟")],
        acting_user=world.principal,
    )
    assert [a.user.username for a in accounts] == ["zhangwei", "zhangwei2"]
    assert AuditEvent.objects.filter(action=AuditAction.IMPORT, detail__created=2).exists()


# --- Over HTTP --------------------------------------------------------------------------------------


def test_template_downloads_and_reads_back_without_rows(world, login):
    response = login(world.coordinator).get(reverse("staff:import_template"))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    workbook = load_workbook(BytesIO(response.content))
    assert [c.value for c in workbook["教职工名单"][1]] == ["序号", *HEADER]
    assert read_staff_sheet(BytesIO(response.content), school=world.school).rows == []


def test_upload_preview_confirm_shows_passwords_once(world, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = login(world.principal)
    response = client.post(
        reverse("staff:import"), {"file": upload(sheet(["王老师", "女", "13911112222", "4-1", ""], ["钱老师"]))}
    )
    assert response.status_code == 200
    assert "确认导入（新增 2 人）" in response.content.decode()
    token = response.context["token"]
    assert not User.objects.filter(first_name="王老师").exists()  # the preview saves nothing

    response = client.post(reverse("staff:import_confirm"), {"token": token})
    assert response.status_code == 302 and response["Location"] == reverse("staff:new_accounts")
    again = client.post(reverse("staff:import_confirm"), {"token": token})  # a double confirm
    assert again.status_code == 302 and again["Location"] == reverse("staff:import")
    assert User.objects.filter(first_name="王老师").count() == 1

    page = client.get(reverse("staff:new_accounts"))
    html = page.content.decode()
    assert "wanglaoshi" in html and "qianlaoshi" in html and "首次登录后须修改密码" in html
    assert "no-store" in page["Cache-Control"]
    assert client.get(reverse("staff:new_accounts")).status_code == 302  # shown once
    assert SchoolClass.objects.get(pk=world.other_class.pk).head_teacher.first_name == "王老师"


def test_sheet_with_errors_cannot_be_confirmed(world, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = login(world.principal)
    response = client.post(reverse("staff:import"), {"file": upload(sheet(["王老师", "", "123", "", ""], ["钱老师"]))})
    html = response.content.decode()
    assert "有错误的行时不能导入" in html and "11位手机号" in html
    response = client.post(reverse("staff:import_confirm"), {"token": response.context["token"]})
    assert "有错误的行时不能导入" in response.content.decode()
    assert not User.objects.filter(first_name__in=["王老师", "钱老师"]).exists()


def test_upload_that_is_not_xlsx_is_refused_in_chinese(world, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = login(world.principal).post(
        reverse("staff:import"), {"file": SimpleUploadedFile("名单.doc", b"not a workbook")}
    )
    assert "只能导入 Excel 表格文件（.xlsx、.xls、.ods、.csv" in response.content.decode()
    response = login(world.principal).post(
        reverse("staff:import"), {"file": SimpleUploadedFile("名单.xlsx", b"not a workbook")}
    )
    assert "无法读取该文件" in response.content.decode()


def test_a_sheet_wider_than_the_limit_is_refused_before_reading(world):
    workbook = Workbook()
    workbook.active.append(HEADER)
    workbook.active.cell(row=2, column=61, value="x")
    out = BytesIO()
    workbook.save(out)
    out.seek(0)
    with pytest.raises(SheetFileError, match="61 列"):
        read_staff_sheet(out, school=world.school)


def test_an_oversized_upload_is_refused_in_chinese(world, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    big = SimpleUploadedFile("名单.xlsx", b"0" * (5 * 1024 * 1024 + 1))
    response = login(world.principal).post(reverse("staff:import"), {"file": big})
    assert "文件过大" in response.content.decode()
    assert not list(tmp_path.rglob("*.xlsx"))


def test_a_schools_own_column_names_are_understood(world):
    preview = read_staff_sheet(
        sheet(["王老师", "女", "13911112222", "3-2", "班主任"], header=["教师姓名", "性别", "手机", "班主任", "职务"]),
        school=world.school,
    )
    [row] = preview.rows
    assert (row.phone, row.head_of, row.roles) == ("13911112222", world.school_class, {"teacher"})
    assert [(c.current, c.new) for c in preview.head_changes] == [("陈老师", "王老师")]
