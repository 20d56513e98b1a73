"""学期: the proposed next term, creating and editing terms, making one current, the home-page notice."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from caretrack.models import Semester, Term
from caretrack.selectors import term_notice
from caretrack.services import school as services

pytestmark = pytest.mark.django_db


def _term(school, year, semester, start, end, current=False):
    return Term.objects.create(
        school=school, start_year=year, semester=semester, start_date=start, end_date=end, is_current=current
    )


def _dates(term):
    return (term.start_year, term.semester, term.start_date, term.end_date)


def test_after_a_first_term_the_second_of_the_same_year_is_proposed(world):
    proposal = services.propose_next_term(school=world.school, today=date(2026, 12, 2))
    assert proposal.pk is None
    assert _dates(proposal) == (2026, Semester.SECOND, date(2027, 3, 1), date(2027, 7, 15))


def test_after_a_second_term_the_first_of_the_next_year_is_proposed(world):
    _term(world.school, 2026, 2, date(2027, 3, 1), date(2027, 7, 15))
    proposal = services.propose_next_term(school=world.school, today=date(2026, 12, 2))
    assert _dates(proposal) == (2027, Semester.FIRST, date(2027, 9, 1), date(2028, 1, 31))


@pytest.mark.parametrize(
    "today, expected",
    [
        (date(2026, 10, 8), (2026, 1, date(2026, 9, 1), date(2027, 1, 31))),
        (date(2027, 1, 10), (2026, 1, date(2026, 9, 1), date(2027, 1, 31))),
        (date(2027, 2, 10), (2026, 2, date(2027, 3, 1), date(2027, 7, 15))),
        (date(2027, 8, 20), (2027, 1, date(2027, 9, 1), date(2028, 1, 31))),
    ],
)
def test_without_any_term_the_term_of_today_is_proposed(world, today, expected):
    Term.objects.filter(school=world.school).delete()
    assert _dates(services.propose_next_term(school=world.school, today=today)) == expected


def test_the_new_term_page_proposes_the_dates_and_creates_the_term(world, login):
    client = login(world.coordinator)
    text = client.get(reverse("school:term_create")).content.decode()
    assert 'value="2027-03-01"' in text and 'value="2027-07-15"' in text
    post = {"start_year": "2026", "semester": "2", "start_date": "2027-03-01", "end_date": "2027-07-10"}
    assert client.post(reverse("school:term_create"), post).status_code == 302
    term = Term.objects.get(school=world.school, start_year=2026, semester=2)
    assert term.end_date == date(2027, 7, 10) and not term.is_current
    # A second submit of the same form is refused with a message.
    response = client.post(reverse("school:term_create"), post)
    assert "2026-2027学年第二学期已经存在" in response.content.decode()
    assert Term.objects.filter(school=world.school, start_year=2026, semester=2).count() == 1


def test_overlapping_dates_are_refused_with_the_other_term_named(world, login):
    post = {"start_year": "2026", "semester": "2", "start_date": "2027-01-10", "end_date": "2027-07-10"}
    response = login(world.principal).post(reverse("school:term_create"), post)
    assert "日期与2026-2027学年第一学期（2026-09-01 至 2027-01-20）重叠" in response.content.decode()
    assert not Term.objects.filter(school=world.school, semester=2).exists()


def test_an_end_before_the_start_is_refused(world, login):
    post = {"start_year": "2026", "semester": "2", "start_date": "2027-07-10", "end_date": "2027-03-01"}
    response = login(world.principal).post(reverse("school:term_create"), post)
    assert "结束日期须晚于开始日期" in response.content.decode()
    with pytest.raises(ValidationError, match="结束日期须晚于开始日期"):
        services.create_term(
            school=world.school,
            start_year=2026,
            semester=2,
            start_date=date(2027, 7, 10),
            end_date=date(2027, 3, 1),
            acting_user=world.principal,
        )


def test_another_schools_term_does_not_count_as_an_overlap(world):
    term = services.create_term(
        school=world.other_school,
        start_year=2026,
        semester=2,
        start_date=date(2027, 3, 1),
        end_date=date(2027, 7, 15),
        acting_user=world.other_principal,
    )
    assert term.pk


def test_a_future_terms_dates_are_edited(world, login):
    future = _term(world.school, 2040, 1, date(2040, 9, 1), date(2041, 1, 31))
    response = login(world.coordinator).post(
        reverse("school:term_edit", args=[future.pk]), {"start_date": "2040-09-02", "end_date": "2041-01-25"}
    )
    assert response.status_code == 302
    future.refresh_from_db()
    assert (future.start_date, future.end_date) == (date(2040, 9, 2), date(2041, 1, 25))


def test_an_ended_terms_dates_cannot_be_edited(world, login):
    past = _term(world.school, 2020, 1, date(2020, 9, 1), date(2021, 1, 31))
    response = login(world.principal).post(
        reverse("school:term_edit", args=[past.pk]), {"start_date": "2020-09-02", "end_date": "2021-01-25"}
    )
    assert "已于 2021-01-31 结束，不能再修改日期" in response.content.decode()
    past.refresh_from_db()
    assert past.start_date == date(2020, 9, 1)
    assert "修改日期" not in login(world.principal).get(reverse("school:terms")).content.decode().split("2020-2021")[1]


def test_the_principal_makes_a_term_current_and_lands_on_the_checklist(world, login):
    old = Term.objects.current(world.school)
    future = _term(world.school, 2040, 1, date(2040, 9, 1), date(2041, 1, 31))
    response = login(world.principal).post(reverse("school:term_make_current", args=[future.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("rollover:checklist")
    assert Term.objects.current(world.school) == future
    old.refresh_from_db()
    assert not old.is_current


def test_only_the_principal_makes_a_term_current(world, login):
    future = _term(world.school, 2040, 1, date(2040, 9, 1), date(2041, 1, 31))
    assert login(world.coordinator).post(reverse("school:term_make_current", args=[future.pk])).status_code == 403
    assert "设为当前学期</button>" not in login(world.coordinator).get(reverse("school:terms")).content.decode()
    future.refresh_from_db()
    assert not future.is_current


def test_another_schools_term_answers_not_found(world, login):
    foreign = Term.objects.current(world.other_school)
    client = login(world.principal)
    assert client.get(reverse("school:term_edit", args=[foreign.pk])).status_code == 404
    assert client.post(reverse("school:term_make_current", args=[foreign.pk])).status_code == 404


def test_the_terms_page_lists_the_schools_terms_only(world, login):
    _term(world.other_school, 2030, 1, date(2030, 9, 1), date(2031, 1, 31))
    text = login(world.coordinator).get(reverse("school:terms")).content.decode()
    assert "2026-2027学年第一学期" in text and "当前学期" in text and "2030-2031" not in text


# --- The notice on the principal's home page ---------------------------------------------------------


def test_no_notice_while_the_term_runs(world):
    assert term_notice(world.school, date(2026, 12, 2)) is None


def _notices(school, day):
    """The notice read by itself, and from the terms the dashboard has already read: always the same."""
    alone = term_notice(school, day)
    assert term_notice(school, day, list(Term.objects.filter(school=school))) == alone
    return alone


def test_a_notice_from_fourteen_days_before_the_end_until_the_next_term_exists(world):
    assert _notices(world.school, date(2027, 1, 5)) is None
    assert _notices(world.school, date(2027, 1, 6)) == "本学期将于 1 月 20 日结束，下学期尚未设置"
    assert _notices(world.school, date(2027, 1, 25)) == "本学期已于 1 月 20 日结束，下学期尚未设置"
    _term(world.school, 2026, 2, date(2027, 3, 1), date(2027, 7, 15))
    assert _notices(world.school, date(2027, 1, 6)) is None


def test_a_notice_when_there_is_no_current_term(world):
    Term.objects.filter(school=world.school).update(is_current=False)
    assert _notices(world.school, date(2026, 12, 2)) == "尚未设置当前学期"


def test_the_dashboard_shows_the_notice_with_a_link_to_the_terms(world, login):
    today = timezone.localdate()
    Term.objects.filter(school=world.school).delete()
    _term(world.school, today.year, 1, today - timedelta(days=100), today + timedelta(days=3), current=True)
    text = login(world.principal).get(reverse("reports:dashboard")).content.decode()
    assert "下学期尚未设置" in text and reverse("school:terms") in text
