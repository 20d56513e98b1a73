"""Every message in the app's own plain Chinese, addressing the user as 您: no Django "---------" empty
choice, none of Django's stock messages, and no 你 on any page of the main flows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from caretrack.forms_base import DATE_FORMAT_MESSAGE, LOGIN_MESSAGE
from tests.factories import ChildFactory, PairingFactory, StaffFactory
from tests.test_access import ACCESS, all_url_names, objects  # noqa: F401  (objects: the walk's fixture)

pytestmark = pytest.mark.django_db

STOCK_MESSAGES = [
    "这个字段是必填项",
    "请输入一个正确的用户名和密码",
    "区分大小写",
    "输入一个有效的日期",
    "选择一个有效的选项",
    "输入一个数字",
    "输入整数",
]


def assert_plain(html: str, where: str) -> None:
    assert "---------" not in html, f"{where}: the dashed empty choice"
    assert "你" not in html, f"{where}: 你 where the app says 您"
    for stock in STOCK_MESSAGES:
        assert stock not in html, f"{where}: Django's stock message {stock}"


def test_no_page_shows_a_dashed_empty_choice_or_says_ni(client, world, objects):  # noqa: F811
    """Every page of the URL walk (GET), as every persona allowed there."""
    seen = 0
    for name in all_url_names():
        rule = ACCESS.get(name)  # a page without a rule fails tests/test_access.py
        if rule is None or rule.method != "get":
            continue
        url = reverse(name, kwargs={key: objects[obj].pk for key, obj in rule.kwargs.items()})
        for persona in sorted(rule.allowed):
            client.force_login(getattr(world, persona))
            response = client.get(url)
            if response.status_code == 200 and "html" in response.get("Content-Type", ""):
                assert_plain(response.content.decode(), f"{name} as {persona}")
                seen += 1
    assert seen > 100


def test_region_options_offer_a_chinese_placeholder(client, world):
    client.force_login(world.class_teacher)
    html = client.get(reverse("guardians:region_options"), {"parent": "510000", "level": "city"}).content.decode()
    assert html.startswith('<option value="">请选择务工城市</option>')


def test_login_says_the_name_or_password_is_wrong_in_the_apps_words(client, world):
    url = reverse("login")
    empty = client.post(url, {"username": "", "password": ""}).content.decode()
    assert "请填写此项。" in empty
    assert_plain(empty, "empty login")
    wrong = client.post(url, {"username": world.mentor.username, "password": "wrong-password"}).content.decode()
    assert LOGIN_MESSAGE in wrong
    assert_plain(wrong, "wrong login")


def test_the_archive_form_says_what_to_fill_in_and_how_to_write_a_date(client, world):
    client.force_login(world.class_teacher)
    html = client.post(
        reverse("children:create"), {"child-name": "", "child-birth_date": "2015年2月", "child-gender": ""}
    ).content.decode()
    assert "请填写此项。" in html and "请选择此项。" in html and DATE_FORMAT_MESSAGE in html
    assert "请选择性别" in html and "请选择班级" in html
    assert_plain(html, "the archive form with errors")


def test_a_talk_log_with_a_bad_date_and_no_text_answers_in_the_apps_words(client, world):
    child = ChildFactory(school_class=world.school_class, left_behind_type="both_away")
    PairingFactory(child=child, mentor=world.mentor, start_date=timezone.localdate() - timedelta(days=30))
    client.force_login(world.mentor)
    html = client.post(
        reverse("mentoring:talk_create", args=[child.pk]), {"date": "3月2日", "place": "", "mood": "9", "text": ""}
    ).content.decode()
    assert DATE_FORMAT_MESSAGE in html and "请填写记录内容。" in html and "请从列表中选择。" in html
    assert_plain(html, "a rejected talk log")


def test_the_password_change_speaks_to_the_teacher_as_nin(client, world):
    teacher = StaffFactory(school=world.school, user__first_name="张老师").user
    teacher.set_password("old-secret-9")
    teacher.save()
    client.force_login(teacher)
    page = client.get(reverse("password_change")).content.decode()
    assert "您的用户名或姓名" in page
    assert_plain(page, "the password change page")
    wrong = client.post(
        reverse("password_change"),
        {"old_password": "nope", "new_password1": "12345678", "new_password2": "12345679"},
    ).content.decode()
    assert "当前密码不正确，请重新输入。" in wrong and "两次输入的新密码不一致" in wrong
    assert_plain(wrong, "a rejected password change")
    common = client.post(
        reverse("password_change"),
        {"old_password": "old-secret-9", "new_password1": "12345678", "new_password2": "12345678"},
    ).content.decode()
    assert "这个密码太常见，请换一个。" in common and "密码不能全是数字，请加入字母。" in common
    assert_plain(common, "a refused new password")


def test_every_form_of_the_apps_uses_the_cores_wording():
    """A new form that starts from Django's own forms.Form would bring back ---------, 这个字段是必填项 and 你."""
    from django import forms

    from caretrack.forms_base import PlainChineseMixin
    from tests.forms.test_shared_widgets import form_classes

    stock = [
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in form_classes()
        if issubclass(cls, forms.BaseForm)
        and not issubclass(cls, PlainChineseMixin)
    ]
    assert stock == []


def test_each_kind_of_field_answers_in_the_apps_words_and_keeps_a_message_of_its_own():
    from django import forms
    from django.core.files.uploadedfile import SimpleUploadedFile

    from caretrack.forms_base import Form

    class Sample(Form):
        name = forms.CharField(label="姓名")
        school_class = forms.ChoiceField(label="班级", choices=[("", "---------"), ("1", "三年级(2)班")])
        day = forms.DateField(label="日期")
        count = forms.IntegerField(label="人数")
        topics = forms.MultipleChoiceField(label="主题", choices=[("study", "学习")], required=False)
        photo = forms.ImageField(label="照片", required=False)
        reason = forms.CharField(label="原因", error_messages={"required": "请填写删除原因。"})

    form = Sample({"name": "", "school_class": "9", "day": "3月2日", "count": "几个", "topics": "study", "reason": ""})
    assert form.errors == {
        "name": ["请填写此项。"],
        "school_class": ["请从列表中选择。"],
        "day": [DATE_FORMAT_MESSAGE],
        "count": ["请填写数字。"],
        "topics": ["请从列表中选择。"],
        "reason": ["请填写删除原因。"],
    }
    assert '<option value="" selected>请选择班级</option>' in str(Sample()["school_class"])
    # Each form changes its own copy of the fields, never the class's (which every later form copies).
    assert Sample.base_fields["school_class"].choices[0] == ("", "---------")

    not_a_photo = Sample({}, {"photo": SimpleUploadedFile("a.jpg", b"not an image", "image/jpeg")})
    assert not_a_photo.errors["photo"] == ["这个文件不是照片或已损坏，请选择 JPG、PNG 等图片。"]
