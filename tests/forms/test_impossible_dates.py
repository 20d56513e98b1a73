"""A date typed in the right shape on a day the calendar does not have (2015-02-30, 2015.13.1) is told that
the day does not exist, on every form (the core's form base), instead of being sent back to the format it
already uses."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from caretrack.forms_base import DATE_FORMAT_MESSAGE, Form
from caretrack.validation import parse_loose_date
from tests.factories import ChildFactory, PairingFactory

pytestmark = pytest.mark.django_db


class OneDate(Form):
    day = forms.DateField(label="日期")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2015-02-30", "日期不存在：2015-02-30，2015年2月没有30日"),
        ("2014/02/29", "日期不存在：2014/02/29，2014年2月没有29日"),
        ("2015-04-31", "日期不存在：2015-04-31，2015年4月没有31日"),
        ("2015.13.1", "日期不存在：2015.13.1，一年只有12个月"),
    ],
)
def test_a_day_the_calendar_lacks_is_named_on_a_form(typed, message):
    form = OneDate({"day": typed})
    assert form.errors["day"] == [message]
    assert "格式" not in message


@pytest.mark.parametrize("typed", ["3月2日", "2015年2月", "明天", "2015-2-3x"])
def test_text_that_is_not_a_whole_date_is_still_asked_for_the_format(typed):
    assert OneDate({"day": typed}).errors["day"] == [DATE_FORMAT_MESSAGE]


def test_a_real_leap_day_is_accepted():
    form = OneDate({"day": "2016-02-29"})
    assert form.is_valid(), form.errors


def test_a_talk_log_on_the_30th_of_february_says_february_has_no_30th(client, world):
    child = ChildFactory(school_class=world.school_class, left_behind_type="both_away")
    PairingFactory(child=child, mentor=world.mentor, start_date=timezone.localdate() - timedelta(days=30))
    client.force_login(world.mentor)
    html = client.post(
        reverse("mentoring:talk_create", args=[child.pk]),
        {"date": "2015-02-30", "place": "office", "mood": "3", "text": "聊了学习。"},
    ).content.decode()
    assert "2015年2月没有30日" in html and "请按 2026-03-02 的格式" not in html


def test_an_activity_on_the_13th_month_is_told_a_year_has_12_months(client, world):
    client.force_login(world.coordinator)
    html = client.post(reverse("activities:create"), {"title": "班会", "kind": "class_meeting", "date": "2015.13.1"})
    assert "一年只有12个月" in html.content.decode()


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("2015.13.1", "日期不存在：2015.13.1，一年只有12个月"),
        ("2015年13月", "日期不存在：2015年13月，一年只有12个月"),
        ("201513", "日期不存在：201513，一年只有12个月"),
    ],
)
def test_a_thirteenth_month_in_an_imported_sheet_is_named_not_sent_back_to_the_format(written, message):
    with pytest.raises(ValidationError) as caught:
        parse_loose_date(written)
    assert caught.value.messages == [message] and caught.value.code == "invalid_date"
