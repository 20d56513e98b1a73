"""A new school set up from nothing on a phone (390×844, no internet), without the Django admin: the county
administrator adds the school and its principal; the principal changes the first password, fills in the
school settings, creates the classes, imports the staff sheet, names a 班主任, opens the term, imports the
roster and makes the first pairings from the suggestions; a teacher then logs in with the printed slip and
finds the paired children on 我的学生."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "Xinxing#2026cun"


@pytest.fixture
def bureau_admin(world):
    from tests.factories import StaffFactory

    profile = StaffFactory(school=None, is_bureau=True, is_bureau_admin=True, is_teacher=False)
    profile.bureau_schools.set([world.school])
    return profile.user


def _first_login(page, base_url, username, password):
    """Log in with a first password: the app sends the person to change it before anything else."""
    page.context.clear_cookies()
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    assert "/accounts/password/" in page.url, page.url
    page.locator("#id_old_password").fill(password)
    page.locator("#id_new_password1").fill(NEW_PASSWORD)
    page.locator("#id_new_password2").fill(NEW_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="保存新密码").click()


def _submit(page, name):
    with page.expect_navigation():  # waits for the answer, not for the page already shown
        page.get_by_role("button", name=name).click()


def test_a_principal_sets_up_a_new_school_from_nothing_on_a_phone(
    offline_page, browser_login, world, bureau_admin, live_server, settings, tmp_path
):
    from caretrack.models import School, SchoolClass, Term
    from children.models import Child
    from mentoring.models import Pairing
    from tests.caretrack.test_staff_import import sheet as staff_sheet
    from tests.excel.test_import_messy import messy, row

    settings.MEDIA_ROOT = tmp_path
    page = offline_page
    visited = []
    page.on("framenavigated", lambda frame: frame == page.main_frame and visited.append(frame.url))
    page.on("dialog", lambda dialog: dialog.accept())  # the "are you sure" of 设为当前学期
    base = live_server.url

    # The county administrator adds the school with its first principal; the password is shown once.
    page = browser_login(page, bureau_admin)
    page.goto(f"{base}/county/new/")
    page.get_by_label("学校名称").fill("新星村小学")
    page.get_by_label("所属县（区）").fill("思蒙县")
    page.get_by_label("学段").select_option(label="小学（一至六年级）")
    page.get_by_label("校长姓名").fill("孙红梅")
    page.get_by_label("手机号").fill("13900001111")
    _submit(page, "新增学校并创建校长账号")
    assert page.get_by_text("已新增 新星村小学").is_visible()
    principal_username = page.locator(".slip-code").first.inner_text().strip()
    principal_password = page.locator("[data-password]").inner_text().strip()
    school = School.objects.get(name="新星村小学")
    assert not SchoolClass.objects.filter(school=school).exists() and not Term.objects.filter(school=school).exists()

    # The principal: first login, then 学校设置 from the menu.
    _first_login(page, base, principal_username, principal_password)
    page.get_by_role("button", name="展开菜单").click()
    with page.expect_navigation():
        page.get_by_role("link", name="学校设置").click()
    assert page.get_by_text("尚未设置当前学期").is_visible()
    page.get_by_role("link", name="修改学校设置").click()
    page.get_by_label("在校学生数").fill("180")
    _submit(page, "保存")

    # Classes in bulk: 三年级 2 个班, 四年级 1 个班.
    page.get_by_role("link", name="班级").click()
    for grade, count in (("三年级", "2"), ("四年级", "1")):
        page.get_by_role("link", name="新建班级").click()
        page.get_by_label("年级").select_option(label=grade)
        page.get_by_label("新建班级数").fill(count)
        _submit(page, "保存")
    assert [str(c) for c in SchoolClass.objects.filter(school=school).order_by("grade", "number")] == [
        "三年级(1)班", "三年级(2)班", "四年级(1)班",
    ]  # fmt: skip

    # The staff sheet: four people, one of them 班主任 of 三年级(1)班; first passwords shown once.
    staff_file = tmp_path / "新星村小学教职工.xlsx"
    staff_file.write_bytes(
        staff_sheet(
            ["刘芳", "女", "13900002222", "三年级(1)班", "教师"],
            ["陈静", "女", "13900003333", "", "教师"],
            ["黄伟", "男", "13900004444", "", "教师"],
            ["周敏", "女", "13900005555", "", "德育主任"],
        ).getvalue()
    )
    page.goto(f"{base}/school/")
    page.get_by_role("link", name="教职工").click()
    page.get_by_role("link", name="从 Excel 导入").click()
    page.get_by_label("教职工名单（.xlsx、.xls、.ods、.csv）").set_input_files(str(staff_file))
    _submit(page, "上传并预览")
    assert page.get_by_text("三年级(1)班班主任").is_visible()
    _submit(page, "确认导入（新增 4 人）")
    accounts = {}
    for line in page.locator("table tbody tr").all():
        name, username, password = (cell.inner_text().strip() for cell in line.locator("td").all())
        accounts[name] = (username, password)
    assert set(accounts) == {"刘芳", "陈静", "黄伟", "周敏"}

    # 陈静 becomes 班主任 of 三年级(2)班 on the classes page.
    page.goto(f"{base}/school/classes/")
    card = page.locator('[data-class="三年级(2)班"]')
    card.get_by_label("班主任").select_option(label="陈静")
    with page.expect_navigation():
        card.get_by_role("button", name="保存").first.click()
    assert SchoolClass.objects.get(school=school, grade=3, number=2).head_teacher.get_full_name() == "陈静"

    # The term: proposed from the calendar; the dates are set so that today is inside it.
    today = timezone.localdate()
    page.goto(f"{base}/school/terms/")
    page.get_by_role("link", name="新建下学期").click()
    proposed = {label: date.fromisoformat(page.get_by_label(label).input_value()) for label in ("开始日期", "结束日期")}
    start = min(proposed["开始日期"], today - timedelta(1))
    end = max(proposed["结束日期"], today + timedelta(30))
    page.get_by_label("开始日期").fill(start.isoformat())
    page.get_by_label("结束日期").fill(end.isoformat())
    _submit(page, "保存")
    with page.expect_navigation():
        page.get_by_role("button", name="设为当前学期").click()
    assert page.get_by_text("已设为当前学期").is_visible()
    assert "/school/rollover/" in page.url
    term = Term.objects.get(school=school)
    assert term.is_current and term.enrolled_students == 180

    # The roster: four children in three classes, previewed and confirmed.
    roster = tmp_path / "新星村小学留守儿童登记表.xlsx"
    roster.write_bytes(
        messy(
            [
                row(name="张小明", class_text="三(1)班"),
                row(name="李小红", gender="女", birth="2016年5月8日", number="", class_text="3年级1班"),
                row(name="王小刚", birth="2017.9.9", number="", class_text="三年级二班"),
                row(name="赵小燕", gender="女", birth="2016.7.1", number="", class_text="4-1"),
            ]
        ).getvalue()
    )
    page.goto(f"{base}/children/import/")
    page.get_by_label("Excel 文件（.xlsx、.xls、.ods、.csv）").set_input_files(str(roster))
    _submit(page, "上传并预览")
    _submit(page, "确认导入（新建 4，更新 0）")
    assert page.get_by_text("新建 4 人").is_visible()
    assert Child.objects.filter(school=school).count() == 4

    # First pairings: the suggestion puts each child with the 班主任 of the class, then the least loaded teacher.
    page.goto(f"{base}/mentoring/unpaired/")
    page.get_by_role("button", name="按推荐方案填入").click()
    _submit(page, "保存结对")
    pairs = {p.child.name: p.mentor.get_full_name() for p in Pairing.objects.filter(child__school=school)}
    assert pairs["张小明"] == pairs["李小红"] == "刘芳"
    assert pairs["王小刚"] == "陈静"
    assert pairs["赵小燕"] in {"黄伟", "孙红梅"} and len(pairs) == 4  # 四年级(1)班 has no 班主任: a teacher with none

    # The teacher logs in from the slip and finds her children on 我的学生.
    _first_login(page, base, *accounts["刘芳"])
    page.goto(f"{base}/mentoring/")
    for name in ("张小明", "李小红"):
        assert page.locator("[data-child]").get_by_text(name).first.is_visible()
    assert page.locator("[data-child]").get_by_text("王小刚").count() == 0

    assert not [url for url in visited if "/admin/" in url], visited
    assert page.blocked == [], page.blocked
