"""The term-start checklist (学期初检查清单): the pairings to carry over or end, the mentors over the cap,
the children whose 留守 status must be checked again and the incomplete archives; a fixed number of
queries; and the previous term's figures untouched by working through it."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from caretrack.models import Term
from children.models import AwayStatus, LeftBehindPeriod
from mentoring.models import Pairing, PairingEndReason
from mentoring.selectors.figures import mentoring_figures
from tests.factories import ChildFactory, PairingFactory, ParentFactory, TermFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
URL = reverse("rollover:checklist")


def years_earlier(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


@pytest.fixture
def terms(world):
    """The current term started ten days ago; the previous one ended twenty days ago."""
    current = Term.objects.get(school=world.school)
    current.start_date, current.end_date = TODAY - timedelta(days=10), TODAY + timedelta(days=120)
    current.save(update_fields=["start_date", "end_date"])
    previous = TermFactory(
        school=world.school,
        start_year=current.start_year - 1,
        semester=2,
        start_date=TODAY - timedelta(days=200),
        end_date=TODAY - timedelta(days=20),
        is_current=False,
    )
    return current, previous


def left_behind(world, name, *, until=None, school_class=None, **kwargs):
    """A left-behind child whose 留守 period began a year ago (and ended on `until`, if given)."""
    child = ChildFactory(
        school_class=school_class or world.school_class, name=name, left_behind_type="both_away", **kwargs
    )
    LeftBehindPeriod.objects.create(
        child=child, kind="both_away", start_date=TODAY - timedelta(days=365), end_date=until
    )
    return child


def pair(child, mentor):
    return PairingFactory(child=child, mentor=mentor, start_date=TODAY - timedelta(days=300))


def page(client, user) -> str:
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


# --- Who sees it -----------------------------------------------------------------------------------------


def test_the_principal_and_the_coordinator_see_the_checklist_of_their_term(client, world, terms):
    for user in (world.principal, world.coordinator):
        html = page(client, user)
        assert "学期初检查清单" in html and str(terms[0]) in html


@pytest.mark.parametrize("persona", ["class_teacher", "mentor", "bureau", "other_teacher"])
def test_other_roles_are_refused(client, world, terms, persona):
    client.force_login(getattr(world, persona))
    assert client.get(URL).status_code == 403


def test_a_visitor_who_is_not_logged_in_is_sent_to_the_login_page(client, world, terms):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_another_schools_principal_sees_only_their_own_school(client, world, terms):
    pair(left_behind(world, "王小花"), world.mentor)
    html = page(client, world.other_principal)
    assert "王小花" not in html and "桥江镇第一小学" in html


def test_a_school_without_a_current_term_is_told_so(client, world):
    Term.objects.filter(school=world.school).update(is_current=False)
    assert "还没有设置当前学期" in page(client, world.principal)


# --- Pairings ----------------------------------------------------------------------------------------------


def test_pairings_are_grouped_by_mentor_and_kept_unless_ended(client, world, terms):
    pair(left_behind(world, "王小花"), world.mentor)
    pair(left_behind(world, "李小军"), world.class_teacher)
    html = page(client, world.coordinator)
    mentor_card = html.split('data-mentor="刘老师"')[1].split('data-mentor="')[0]
    assert "王小花" in mentor_card and "李小军" not in mentor_card and "继续结对" in mentor_card
    assert "李小军" in html.split('data-mentor="陈老师"')[1]


def test_mentors_over_the_cap_are_listed_with_their_count(client, world, terms):
    world.school.max_children_per_mentor = 2
    world.school.save(update_fields=["max_children_per_mentor"])
    for name in ("甲", "乙", "丙"):
        pair(left_behind(world, name), world.mentor)
    pair(left_behind(world, "丁"), world.class_teacher)
    over = page(client, world.principal).split('data-rollover="over-cap"')[1].split("</ul>")[0]
    assert "刘老师：3 名（上限 2 名）" in over and "陈老师" not in over


def test_a_child_no_longer_left_behind_is_suggested_for_ending_with_that_reason(client, world, terms):
    home = left_behind(world, "返乡生", until=TODAY - timedelta(days=3))
    pairing = pair(home, world.mentor)
    pair(left_behind(world, "留守生"), world.mentor)
    html = page(client, world.coordinator)
    suggested = html.split('data-rollover="suggested"')[1].split("</ul>")[0]
    assert "返乡生" in suggested and "留守生" not in suggested
    row = html.split(f'data-pairing="{pairing.pk}"')[1].split("</li>")[0]
    assert '<option value="not_left_behind" selected>' in row


def test_ending_from_the_checklist_ends_today_with_the_reason_and_comes_back(client, world, terms):
    pairing = pair(left_behind(world, "王小花"), world.mentor)
    client.force_login(world.coordinator)
    response = client.post(
        reverse("mentoring:pairing_end", args=[pairing.pk]),
        {"end_date": TODAY.isoformat(), "reason": "term_change", "note": "改由班主任帮扶", "next": URL},
    )
    assert response.status_code == 302 and response["Location"] == URL
    pairing.refresh_from_db()
    assert (pairing.end_date, pairing.end_reason, pairing.end_note) == (TODAY, "term_change", "改由班主任帮扶")
    assert f'data-pairing="{pairing.pk}"' not in page(client, world.coordinator)


def test_the_previous_terms_coverage_is_the_same_after_working_through_the_checklist(client, world, terms):
    current, previous = terms
    home = left_behind(world, "返乡生", until=TODAY - timedelta(days=3))
    staying = left_behind(world, "留守生")
    left_behind(world, "未结对")
    ended = [pair(home, world.mentor), pair(staying, world.class_teacher)]

    def coverage():
        figures = mentoring_figures(schools=[world.school], start=previous.start_date, end=previous.end_date, on=TODAY)[
            world.school.pk
        ]
        return figures.left_behind, figures.paired, figures.pairing_coverage

    before = coverage()
    assert before == (3, 2, 66.7)
    client.force_login(world.principal)
    for pairing, reason in zip(ended, ["not_left_behind", "term_change"], strict=True):
        client.post(
            reverse("mentoring:pairing_end", args=[pairing.pk]),
            {"end_date": TODAY.isoformat(), "reason": reason, "next": URL},
        )
    assert not Pairing.objects.filter(end_date__isnull=True).exists()
    assert coverage() == before


# --- The archive ----------------------------------------------------------------------------------------


def test_children_whose_status_must_be_checked_again_link_to_their_page(client, world, terms):
    current, _ = terms
    due_back = left_behind(world, "该返乡")
    ParentFactory(child=due_back, expected_return_on=TODAY - timedelta(days=5))
    not_yet = left_behind(world, "未到期")
    ParentFactory(child=not_yet, expected_return_on=TODAY + timedelta(days=30))
    came_home = left_behind(world, "已在家")
    ParentFactory(child=came_home, expected_return_on=TODAY - timedelta(days=5), away_status=AwayStatus.AT_HOME)
    sixteen_on = current.start_date + timedelta(days=40)
    turning = left_behind(world, "将满16", birth_date=years_earlier(sixteen_on, 16))
    later = left_behind(world, "明年满16", birth_date=years_earlier(current.end_date + timedelta(days=30), 16))
    html = page(client, world.coordinator)
    section = html.split("留守状态待核实")[1].split("</section>")[0]
    assert f'href="{reverse("children:detail", args=[due_back.pk])}"' in section
    assert f"父亲预计 {TODAY - timedelta(days=5):%Y-%m-%d} 返乡" in section
    assert f'href="{reverse("children:detail", args=[turning.pk])}"' in section
    assert f"{sixteen_on:%Y-%m-%d} 年满16周岁" in section
    for name in (not_yet.name, came_home.name, later.name):
        assert name not in section


def test_incomplete_archives_are_counted_and_linked_to_the_filtered_list(client, world, terms):
    left_behind(world, "档案不全甲")
    left_behind(world, "档案不全乙")
    ChildFactory(school_class=world.school_class, name="王非留")
    html = page(client, world.principal)
    section = html.split("学生档案完整性")[1].split("</section>")[0]
    link = f"{reverse('children:list')}?archived=no"
    assert "2 名留守儿童的档案尚未完善" in section and f'href="{link}"' in section
    listed = client.get(link).content.decode()
    assert "档案不全甲" in listed and "档案不全乙" in listed and "王非留" not in listed


# --- A fixed number of queries ------------------------------------------------------------------------------


def populate(world, term, n, tag):
    for i in range(n):
        child = left_behind(world, f"{tag}{i}", school_class=world.other_class if i % 2 else world.school_class)
        pair(child, world.mentor if i % 2 else world.class_teacher)
        home = left_behind(world, f"{tag}返乡{i}", until=TODAY - timedelta(days=1))
        pair(home, world.mentor)
        ParentFactory(child=left_behind(world, f"{tag}父{i}"), expected_return_on=TODAY - timedelta(days=i + 1))
        left_behind(world, f"{tag}满{i}", birth_date=years_earlier(term.start_date + timedelta(days=i + 1), 16))


def test_the_checklist_has_a_fixed_number_of_queries(client, world, terms, django_assert_max_num_queries):
    client.force_login(world.principal)
    populate(world, terms[0], 2, "少")
    # session, user and roles (5), the term, children with a parent due back and those parents, children
    # turning 16, the incomplete count, the pairings with their 留守 flag, and the session saved (3).
    # +2 since the menu has counts: the bell's unread notifications, the open cases of 待处理
    with django_assert_max_num_queries(16) as small:
        assert client.get(URL).status_code == 200
    populate(world, terms[0], 25, "多")
    with django_assert_max_num_queries(len(small.captured_queries)):
        html = client.get(URL).content.decode()
    assert "多24" in html and "多父24" in html and "多满24" in html
    assert html.count('name="reason"') == Pairing.objects.filter(end_date__isnull=True).count() == 2 * 27
    assert PairingEndReason.NO_LONGER_LEFT_BEHIND.label in html


def test_a_pairing_left_running_by_a_teacher_who_has_left_is_suggested_for_ending(client, world, terms):
    pairing = pair(left_behind(world, "王小花"), world.mentor)
    world.mentor.is_active = False
    world.mentor.save(update_fields=["is_active"])
    row = page(client, world.coordinator).split(f'data-pairing="{pairing.pk}"')[1].split("</li>")[0]
    assert "建议结束：教师已离职" in row and '<option value="mentor_left" selected>' in row
