import contextlib
import subprocess
import sys

import pytest
from django.urls import reverse

from tests.factories import PairingFactory


@pytest.mark.parametrize(
    "persona, target",
    [
        ("principal", "/reports/dashboard/"),
        ("coordinator", "/reports/dashboard/"),
        ("class_teacher", "/children/"),
        ("bureau", "/reports/county/"),
    ],
)
def test_each_role_lands_on_its_own_page(client, world, persona, target):
    """A teacher lands on 我的学生 once mentoring provides it; until then on the archive list."""
    from django.urls import NoReverseMatch

    if persona == "class_teacher":
        with contextlib.suppress(NoReverseMatch):
            target = reverse("mentoring:my_students")
    client.force_login(getattr(world, persona))
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == target


def test_login_page_is_chinese_and_styled_from_static(client, db):
    response = client.get(reverse("login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'lang="zh-CN"' in html and "关爱留守儿童工作平台" in html and "用户名" in html
    assert "/static/vendor/bootstrap-5.3.9/css/bootstrap.min.css" in html
    assert "cdn" not in html.lower() and "https://" not in html


def test_wrong_password_gets_a_chinese_message(client, world):
    response = client.post(reverse("login"), {"username": world.mentor.username, "password": "nope"})
    assert response.status_code == 200
    assert "用户名或密码不正确，请重新输入。" in response.content.decode()


def test_nav_shows_only_what_the_role_may_use(client, world):
    PairingFactory(mentor=world.mentor, child__school_class=world.school_class)
    client.force_login(world.mentor)
    html = client.get(reverse("children:list")).content.decode()
    assert "学生档案" in html and "审计" not in html
    client.force_login(world.principal)
    assert "审计" in client.get(reverse("children:list")).content.decode()


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": "x7$k2!pq9Lm#Zr4@tWv8&yB1nC5^eH3*jD6%uF0(gS)aQ_iR-oT+lE=wN~bM",
        "ALLOWED_HOSTS": "caretrack.example.org",
        "SQLITE_PATH": str(tmp_path / "db.sqlite3"),
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
