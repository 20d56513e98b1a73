"""Error pages as a teacher sees them with DEBUG off: in Chinese, inside the site's layout, with the
reason the code gave and a way back."""

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client
from django.urls import reverse

from tests.factories import ChildFactory

pytestmark = pytest.mark.django_db

LAYOUT = 'aria-label="主导航"'  # the menu bar of templates/base.html


@pytest.fixture(autouse=True)
def _production(settings):
    settings.DEBUG = False


def _main(html: str) -> str:
    return html.split("<main", 1)[1].split("</main>", 1)[0]


def test_another_schools_child_is_a_chinese_404_inside_the_layout(world, client):
    child = ChildFactory(school_class=world.school_class)
    client.force_login(world.other_teacher)
    referer = "http://testserver" + reverse("children:list")
    response = client.get(reverse("children:detail", args=[child.pk]), HTTP_REFERER=referer)
    assert response.status_code == 404
    html = response.content.decode()
    assert LAYOUT in html
    assert "没有找到该学生，或您无权查看。" in _main(html)
    assert "返回首页" in html
    assert f'href="{referer}"' in html and "返回上一页" in html


def test_an_unknown_address_is_a_chinese_404_that_shows_no_url_patterns(world, client):
    client.force_login(world.principal)
    response = client.get("/children/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert LAYOUT in html and "没有找到您要的页面" in html
    assert "tried" not in html and "children/&lt;int" not in html and "Page not found" not in html


def test_a_link_back_is_offered_only_to_pages_of_this_site(world, client):
    client.force_login(world.other_teacher)
    child = ChildFactory(school_class=world.school_class)
    html = client.get(reverse("children:detail", args=[child.pk]), HTTP_REFERER="https://evil.example/x").content
    assert "evil.example" not in html.decode() and "返回上一页" not in html.decode()


def test_permission_denied_shows_its_message_inside_the_layout(world, client):
    client.force_login(world.class_teacher)
    response = client.get(reverse("caretrack:audit"))
    assert response.status_code == 403
    html = response.content.decode()
    assert LAYOUT in html
    assert "只有校长可以查看审计记录。" in _main(html)
    assert "返回首页" in html


def test_a_bad_request_is_a_chinese_page(settings, client):
    response = client.get(reverse("login"), HTTP_HOST="not-allowed.example")
    assert response.status_code == 400
    html = response.content.decode()
    assert "请求有误" in html and "Bad Request" not in html


def test_an_expired_form_is_a_chinese_page(world):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": world.principal.username, "password": "x"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "页面已过期" in html and "CSRF" not in html


def test_a_server_error_is_a_chinese_page_even_when_the_database_is_down(world, monkeypatch):
    client = Client(raise_request_exception=False)
    client.force_login(world.principal)

    def no_database(self, *args, **kwargs):
        raise OperationalError("the database is gone")

    monkeypatch.setattr(BaseDatabaseWrapper, "cursor", no_database)
    response = client.get(reverse("children:list"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "服务器出错" in html and "请稍后再试" in html and "返回首页" in html
    assert "Server Error" not in html
    assert "bootstrap.min.css" in html  # the site's look, without its menu (which needs the database)
