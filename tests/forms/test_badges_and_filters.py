"""Badges and filters that read right: one count per badge, one look for "done", every filter select named,
only the grades the school teaches, and an impossible day told what is wrong with it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from caretrack.models import Term
from caretrack.validation import parse_loose_date
from mentoring.models import CaseAction
from tests.children.test_archive_pages import archive_post
from tests.factories import ChildFactory, ConcernFactory, PairingFactory

pytestmark = pytest.mark.django_db

DONE_BADGE = (
    '<span class="badge text-bg-success" data-done{attrs}><i class="bi bi-check2 me-1" aria-hidden="true"></i>'
    "{label}</span>"
)


@pytest.fixture(autouse=True)
def term_around_today(world):
    today = timezone.localdate()
    Term.objects.filter(school=world.school).update(
        start_date=today - timedelta(days=60), end_date=today + timedelta(days=60)
    )


def paired_children(world, count):
    start = timezone.localdate() - timedelta(days=30)
    children = [ChildFactory(school_class=world.school_class, left_behind_type="both_away") for _ in range(count)]
    for child in children:
        PairingFactory(child=child, mentor=world.mentor, start_date=start)
    return children


def test_the_pairing_board_names_each_count_once(client, world):
    paired_children(world, 3)
    client.force_login(world.coordinator)
    html = client.get(reverse("mentoring:pairings")).content.decode()
    card = html[html.index(f'data-mentor="{world.mentor.get_full_name()}"') :]
    assert "3 名 3 名逾期" not in card and "名逾期" not in card
    assert "结对 3 名" in card and "逾期 3 名" in card


def test_done_looks_the_same_on_the_mentors_board_a_case_and_the_archive(client, world):
    (child,) = paired_children(world, 1)
    client.force_login(world.mentor)
    client.post(
        reverse("mentoring:talk_create", args=[child.pk]),
        {"date": timezone.localdate().isoformat(), "place": "office", "mood": "4", "text": "聊了学习。"},
    )
    board = client.get(reverse("mentoring:my_students")).content.decode()
    assert DONE_BADGE.format(attrs=' data-badge="talk" data-state="done"', label="本周谈心 1/1") in board

    client.force_login(world.coordinator)
    pairings = client.get(reverse("mentoring:pairings")).content.decode()
    assert DONE_BADGE.format(attrs=' data-badge="talk" data-state="done"', label="本周谈心 1/1") in pairings

    today = timezone.localdate()
    concern = ConcernFactory(child=child, raised_by=world.mentor)
    CaseAction.objects.create(
        concern=concern, what="家访", who=world.mentor, due_on=today, done_on=today, created_by=world.coordinator
    )
    case = client.get(reverse("mentoring:case_detail", args=[concern.pk])).content.decode()
    assert DONE_BADGE.format(attrs="", label=f"已完成 {today.month}月{today.day}日") in case

    created = client.post(reverse("children:create"), archive_post(world))
    detail = client.get(created["Location"]).content.decode()
    assert DONE_BADGE.format(attrs="", label="已建档") in detail
    listing = client.get(reverse("children:list")).content.decode()
    assert DONE_BADGE.format(attrs="", label="已建档") in listing
    for page in (board, pairings, case, detail, listing):
        done_spans = re.findall(r'<[^>]*class="[^"]*text-(?:bg-)?success[^"]*"[^>]*>(?:已建档|已完成)', page)
        assert all("data-done" in span for span in done_spans), done_spans


def test_every_filter_select_on_the_child_list_is_named_and_none_says_only_quan_bu(client, world):
    client.force_login(world.coordinator)
    html = client.get(reverse("children:list")).content.decode()
    selects = re.findall(r'<select[^>]*id="([^"]+)"', html)
    assert len(selects) >= 5
    for select_id in selects:
        assert re.search(rf'<label[^>]*for="{select_id}"', html), select_id
    assert not re.search(r">全部</option>", html)
    assert "全部建档状态" in html


def grade_options(html: str) -> list[str]:
    select = re.search(r'<select name="grade".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', select)


def test_a_primary_school_offers_grades_one_to_six_and_a_junior_school_seven_to_nine(client, world):
    client.force_login(world.coordinator)
    primary = grade_options(client.get(reverse("children:list")).content.decode())
    assert primary == ["一年级", "二年级", "三年级", "四年级", "五年级", "六年级"]
    world.other_school.grade_span = "junior"
    world.other_school.save(update_fields=["grade_span"])
    client.force_login(world.other_principal)
    assert grade_options(client.get(reverse("children:list")).content.decode()) == ["七年级", "八年级", "九年级"]


def test_a_mentor_who_heads_no_class_still_gets_the_schools_grades(client, world):
    paired_children(world, 1)
    client.force_login(world.mentor)
    assert "六年级" in grade_options(client.get(reverse("children:list")).content.decode())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2015-02-30", "日期不存在：2015-02-30，2015年2月没有30日"),
        ("2015年4月31日", "日期不存在：2015年4月31日，2015年4月没有31日"),
        ("2014.2.29", "日期不存在：2014.2.29，2014年2月没有29日"),
    ],
)
def test_a_day_the_month_does_not_have_is_named_not_sent_back_to_the_format(text, message):
    with pytest.raises(ValidationError) as caught:
        parse_loose_date(text)
    assert caught.value.messages == [message] and caught.value.code == "invalid_date"
    assert "请写成" not in caught.value.messages[0]


def test_the_29th_of_february_of_a_leap_year_is_a_date():
    assert parse_loose_date("2016-02-29").isoformat() == "2016-02-29"
