import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_teacher_logs_in_on_a_phone_with_no_internet_and_the_page_is_styled(
    offline_page, browser_login, world, live_server
):
    page = browser_login(offline_page, world.class_teacher)
    assert "/accounts/login/" not in page.url
    # Bootstrap from static/ is applied: the navbar has Bootstrap's green background and the toggler shows.
    navbar_bg = page.locator("nav.navbar").evaluate("e => getComputedStyle(e).backgroundColor")
    assert navbar_bg == "rgb(25, 135, 84)"
    assert page.locator(".navbar-toggler").is_visible()
    assert page.get_by_text("关爱留守儿童").first.is_visible()
    assert page.blocked == []
    # The phone menu opens (Bootstrap's JS is served locally too).
    page.locator(".navbar-toggler").click()
    page.get_by_role("link", name="学生档案").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="学生档案").is_visible()


def test_wrong_password_shows_a_chinese_error(offline_page, live_server, world):
    page = offline_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(world.mentor.username)
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    assert page.get_by_text("用户名或密码不正确，请重新输入。").is_visible()
