"""Each page a school uses every day runs a fixed, small number of SQL queries (issue 17): at most 12 of its
own on top of what every logged-in page pays (the session, the user, the roles in one query, the menu's
待处理 count and the bell: five, an empty page with the site's base template, measured in the same test; the
session's sliding expiry is written only every few minutes), and not one
more with 50 children than with 5. Timing is bench/run.py's job; this file makes an N+1 fail in CI.

Each page is requested twice and the second request is counted, as the bench does: the first may fill the
figures cache."""

from datetime import timedelta

import pytest
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone

import caretrack.urls
from caretrack.models import Term
from children.models import LeftBehindPeriod
from tests.factories import (
    ActivityFactory,
    ActivityParticipantFactory,
    ChildFactory,
    GuardianFactory,
    HomeVisitFactory,
    PairingFactory,
    ParentFactory,
    TalkFactory,
)

PAGE_QUERIES = 12  # issue 17: each school page ≤ 12 queries of its own

TODAY = timezone.localdate()


def _empty_page(request):
    return render(request, "base.html", {})


# The site's URLs plus the floor page (as bench/run.py installs it).
urlpatterns = [*caretrack.urls.urlpatterns, path("__floor/", _empty_page, name="page_floor")]
handler400, handler403 = caretrack.urls.handler400, caretrack.urls.handler403
handler404, handler500 = caretrack.urls.handler404, caretrack.urls.handler500

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def _school_with(world, n: int):
    """`n` left-behind children in the class teacher's class, each with a father working away, a grandmother
    as guardian, a talk and a home visit this term, paired to the mentor (or, one in five, to the class
    teacher), all of them at one activity."""
    Term.objects.filter(school=world.school).update(
        start_date=TODAY - timedelta(days=60), end_date=TODAY + timedelta(days=60)
    )
    activity = ActivityFactory(school=world.school, created_by=world.class_teacher)
    children = []
    for i in range(n):
        child = ChildFactory(school_class=world.school_class, left_behind_type="both_away", name=f"王小{i}")
        LeftBehindPeriod.objects.create(child=child, kind="both_away", start_date=TODAY - timedelta(days=365))
        ParentFactory(child=child)
        GuardianFactory(child=child)
        mentor = world.class_teacher if i % 5 == 0 else world.mentor
        PairingFactory(child=child, mentor=mentor, start_date=TODAY - timedelta(days=30))
        TalkFactory(child=child, author=mentor, date=TODAY - timedelta(days=i % 20))
        HomeVisitFactory(child=child, author=mentor, date=TODAY - timedelta(days=i % 40))
        ActivityParticipantFactory(activity=activity, child=child)
        children.append(child)
    return children


# (label, url name, persona, takes a child's pk, method, query string, marks of the 12-query test)
PAGES = [
    ("我的学生 (mentor)", "mentoring:my_students", "mentor", False, "get", "", ()),
    ("我的学生 (class teacher)", "mentoring:my_students", "class_teacher", False, "get", "", ()),
    ("child list (principal)", "children:list", "principal", False, "get", "", ()),
    ("child list (class teacher)", "children:list", "class_teacher", False, "get", "", ()),
    ("child page (principal)", "children:detail", "principal", True, "get", "", ()),
    ("child page (mentor)", "children:detail", "mentor", True, "get", "", ()),
    ("archive sections", "children:archive", "principal", True, "get", "", ()),
    ("结对帮扶 board", "mentoring:pairings", "coordinator", False, "get", "", ()),
    ("结对帮扶 board, searched", "mentoring:pairings", "coordinator", False, "get", "q=wx", ()),
    ("dashboard", "reports:dashboard", "principal", False, "get", "", ()),
    ("工作总结 page", "reports:term_report", "principal", False, "get", "", ()),
    ("工作总结 PDF", "reports:term_report_pdf", "principal", False, "post", "", ()),
    ("activity list", "activities:list", "principal", False, "get", "", ()),
]
ARGS = ("label", "url_name", "persona", "with_child", "method", "query")


def _request(client, method: str, url: str) -> None:
    response = (client.post if method == "post" else client.get)(url)
    assert response.status_code == 200, response.status_code


def _open(client, world, url_name, persona, with_child, query) -> str:
    children = _school_with(world, 5)
    client.force_login(getattr(world, persona))
    url = reverse(url_name, args=[children[1].pk] if with_child else [])  # the mentor's, seen by all
    return f"{url}?{query}" if query else url


def _floor(client, django_assert_max_num_queries) -> int:
    _request(client, "get", reverse("page_floor"))
    with django_assert_max_num_queries(100) as empty_page:
        _request(client, "get", reverse("page_floor"))
        return len(empty_page)


@pytest.mark.parametrize(ARGS, [pytest.param(*p[:6], marks=p[6], id=p[0]) for p in PAGES])
def test_each_school_page_runs_at_most_12_queries_of_its_own(
    client, world, django_assert_max_num_queries, label, url_name, persona, with_child, method, query
):
    url = _open(client, world, url_name, persona, with_child, query)
    floor = _floor(client, django_assert_max_num_queries)

    _request(client, method, url)
    with django_assert_max_num_queries(floor + PAGE_QUERIES, info=f"{label}: the empty page runs {floor}"):
        _request(client, method, url)


@pytest.mark.parametrize(ARGS, [pytest.param(*p[:6], id=p[0]) for p in PAGES])
def test_each_school_page_runs_no_more_queries_with_50_children_than_with_5(
    client, world, django_assert_max_num_queries, label, url_name, persona, with_child, method, query
):
    url = _open(client, world, url_name, persona, with_child, query)
    _request(client, method, url)
    with django_assert_max_num_queries(1000) as five:
        _request(client, method, url)
        with_five = len(five)

    for i in range(45):
        child = ChildFactory(school_class=world.school_class, left_behind_type="both_away", name=f"李小{i}")
        LeftBehindPeriod.objects.create(child=child, kind="both_away", start_date=TODAY - timedelta(days=365))
        ParentFactory(child=child)
        PairingFactory(child=child, mentor=world.mentor, start_date=TODAY - timedelta(days=30))
        TalkFactory(child=child, author=world.mentor, date=TODAY - timedelta(days=i % 20))
    _request(client, method, url)
    with django_assert_max_num_queries(with_five, info=f"{label}: {with_five} queries with 5 children"):
        _request(client, method, url)


def test_an_empty_page_costs_five_queries(client, world, django_assert_num_queries):
    """What every page pays, read by the principal: the session, the user, her roles (profile, heads a
    class, mentors today: one query), the menu's 待处理 count and the bell. No session write."""
    _school_with(world, 2)
    client.force_login(world.principal)
    _request(client, "get", reverse("page_floor"))
    with django_assert_num_queries(5):
        _request(client, "get", reverse("page_floor"))
