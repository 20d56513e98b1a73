"""The figures engine (reports.figures_store) gives the county overview, and each school's dashboard and
工作总结, exactly the figures the scanning computation (reports.selectors.term_figures) gives, after any
history of changes made through the services, on whichever database the suite runs (DATABASE_URL); and it
reads a fixed handful of queries when its rows are up to date."""

from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caretrack.models import School
from children.models import AwayStatus, Child, ParentRole
from children.services import transfers, update_parent_status
from mentoring import services as mentoring
from mentoring.models import HomeVisit, Pairing, Talk
from reports.figures_store import forget_figures
from reports.models import FiguresKind, FiguresSnapshot
from reports.selectors import (
    SchoolFigures,
    _cached_county_figures,
    county_figures_drift,
    county_rows,
    county_term_keys,
    scan_school_figures,
    stored_school_figures,
    term_figures,
)
from tests.factories import ChildFactory, SchoolFactory, StaffFactory, TermFactory
from tests.reports.helpers import ensure_regions, left_behind_child

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
# A window around today: transfers are refused more than 90 days from today, logs in the future.
START, END = TODAY - timedelta(days=60), TODAY + timedelta(days=40)


def _sixteen_on(day: date) -> date:
    """The birth date of a child who turns 16 on `day`."""
    return day.replace(year=day.year - 16)


def _scanned(schools, day: date) -> dict[int, SchoolFigures]:
    return term_figures(schools=schools, start=START, end=END, on=day, detail=False)


def _engine(schools, day: date) -> dict[int, SchoolFigures]:
    return _cached_county_figures(schools, start=START, end=END, on=day)


def _assert_engine_equals_scanning(day: date) -> None:
    schools = list(School.objects.order_by("pk"))
    scanned = _scanned(schools, day)
    assert _engine(schools, day) == scanned  # rows brought up to date (the changed schools computed)
    assert _engine(schools, day) == scanned  # read back from the cache
    # The dashboard's and the 工作总结's figures (with detail: 留守类型, provinces, guardians, 建档 by class)
    dashboards = {s.pk: scan_school_figures(s, start=START, end=END, on=day) for s in schools}
    assert {s.pk: stored_school_figures(s, start=START, end=END, on=day) for s in schools} == dashboards
    cache.clear()
    assert _engine(schools, day) == scanned  # and from the rows alone
    assert {s.pk: stored_school_figures(s, start=START, end=END, on=day) for s in schools} == dashboards


class History:
    """The state a random history acts on: two schools, their children, pairings and logs."""

    def __init__(self, world):
        ensure_regions()
        self.world = world
        self.children = [
            left_behind_child(world.school_class, name="王小一"),
            left_behind_child(world.school_class, name="王小二", complete=False),
            left_behind_child(world.other_class, name="王小三", incapable_mother=True),
            # Turns 16 inside the window: no longer counted from that day on.
            left_behind_child(world.school_class, name="王小四", birth_date=_sixteen_on(TODAY - timedelta(days=5))),
            left_behind_child(world.foreign_class, name="外校一"),
            left_behind_child(world.foreign_class, name="外校二", complete=False),
        ]
        self.other_mentor = StaffFactory(school=world.other_school, user__first_name="外校帮扶").user

    def mentor_of(self, child: Child):
        return self.world.mentor if child.school_id == self.world.school.pk else self.other_mentor

    def acting_user(self, child: Child):
        return self.world.coordinator if child.school_id == self.world.school.pk else self.world.other_principal

    def child(self, i: int) -> Child:
        return Child.objects.select_related("school").get(pk=self.children[i % len(self.children)].pk)


def _log(history: History, model, i: int, back: int, day: date, n: int) -> None:
    child = history.child(i)
    data = {"date": day - timedelta(days=back), "text": f"记录{n}"}
    if model is HomeVisit:
        data["met_whom"] = "奶奶"
    mentoring.create_log(model=model, child=child, data=data, author=history.mentor_of(child), today=day)


def _delete(history: History, i: int) -> None:
    logs = [*Talk.objects.order_by("pk"), *HomeVisit.objects.order_by("pk")]
    if logs:
        log = logs[i % len(logs)]
        mentoring.delete_log(log=log, acting_user=history.acting_user(log.child), reason="录错了")


def _pair(history: History, i: int, back: int, day: date) -> None:
    child = history.child(i)
    mentoring.pair_child(
        child=child,
        mentor=history.mentor_of(child),
        start_date=day - timedelta(days=back),
        acting_user=history.acting_user(child),
    )


def _end(history: History, i: int, day: date) -> None:
    pairings = list(Pairing.objects.filter(end_date__isnull=True).order_by("pk"))
    if pairings:
        pairing = pairings[i % len(pairings)]
        mentoring.end_pairing(pairing=pairing, end_date=day, acting_user=history.acting_user(pairing.child))


def _transfer(history: History, i: int, day: date) -> None:
    child = history.child(i)
    world = history.world
    if child.school_id == world.school.pk:
        to_school, school_class, receiver = world.other_school, world.foreign_class, world.other_principal
    else:
        to_school, school_class, receiver = world.school, world.school_class, world.principal
    request = transfers.request_transfer(
        child=child, to_school=to_school, transfer_on=day, acting_user=history.acting_user(child)
    )
    transfers.accept_transfer(request=request, school_class=school_class, acting_user=receiver)


def _parent_home(history: History, i: int, day: date) -> None:
    child = history.child(i)
    update_parent_status(
        child=child,
        role=ParentRole.MOTHER,
        values={"away_status": AwayStatus.AT_HOME, "work_province_id": None, "work_city_id": None},
        on=day,
        reason="母亲返乡",
        acting_user=history.acting_user(child),
    )


child_index = st.integers(min_value=0, max_value=5)
days_back = st.integers(min_value=0, max_value=45)  # backdated logs reach into past weeks and before START
OPERATIONS = st.one_of(
    st.tuples(st.just("talk"), child_index, days_back),
    st.tuples(st.just("visit"), child_index, days_back),
    st.tuples(st.just("delete"), st.integers(0, 20)),
    st.tuples(st.just("pair"), child_index, days_back),
    st.tuples(st.just("end"), st.integers(0, 20)),
    st.tuples(st.just("transfer"), child_index),
    st.tuples(st.just("parent_home"), child_index),
    st.tuples(st.just("day"), st.integers(min_value=1, max_value=12)),  # the day moves (due, overdue, 16)
)


def _apply(history: History, operation: tuple, day: date, n: int) -> date:
    name, *args = operation
    if name == "day":
        return min(day + timedelta(days=args[0]), END)
    try:
        if name == "talk":
            _log(history, Talk, *args, day, n)
        elif name == "visit":
            _log(history, HomeVisit, *args, day, n)
        elif name == "delete":
            _delete(history, *args)
        elif name == "pair":
            _pair(history, *args, day)
        elif name == "end":
            _end(history, *args, day)
        elif name == "transfer":
            _transfer(history, *args, day)
        elif name == "parent_home":
            _parent_home(history, *args, day)
    except ValidationError:
        pass  # refused by the service (a date out of range, already paired …): nothing saved, still compared
    return day


def test_the_county_figures_from_stored_rows_equal_the_scanning_ones_after_any_history(world):
    history = History(world)

    @settings(
        max_examples=15,
        deadline=None,
        derandomize=True,  # the same histories on every run and database
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(st.lists(OPERATIONS, min_size=2, max_size=8))
    def run(operations):
        savepoint = transaction.savepoint()
        try:
            day = TODAY - timedelta(days=20)
            _assert_engine_equals_scanning(day)
            for n, operation in enumerate(operations):
                day = _apply(history, operation, day, n)
                _assert_engine_equals_scanning(day)
        finally:
            transaction.savepoint_rollback(savepoint)
            forget_figures()  # new versions: the cache (not rolled back) never serves the undone history

    run()


def test_a_talk_saved_after_the_overview_was_read_counts_at_once(client, world):
    child = left_behind_child(world.school_class, name="王小一")
    client.force_login(world.bureau)
    client.get(reverse("reports:county"))  # rows stored
    before = _engine([world.school], TODAY)[world.school.pk].mentoring.talks_term
    mentoring.create_log(model=Talk, child=child, data={"date": TODAY, "text": "谈心"}, author=world.mentor)
    assert _engine([world.school], TODAY)[world.school.pk].mentoring.talks_term == before + 1


def test_the_rows_survive_an_emptied_cache(world, django_assert_num_queries):
    left_behind_child(world.school_class, name="王小一")
    schools = [world.school, world.other_school]
    _engine(schools, TODAY)
    cache.clear()
    assert FiguresSnapshot.objects.filter(kind=FiguresKind.COUNTY).count() == 2
    with django_assert_num_queries(2):  # the versions and the rows: nothing scanned
        figures = _engine(schools, TODAY)
    assert figures == _scanned(schools, TODAY)


def test_the_county_overview_of_twelve_schools_reads_a_fixed_handful_of_queries(world, django_assert_max_num_queries):
    profile = world.bureau.profile
    for _ in range(10):
        school = SchoolFactory()
        TermFactory(school=school)
        profile.bureau_schools.add(school)
        ChildFactory(school=school, school_class__school=school)
    left_behind_child(world.school_class, name="王小一")
    schools = School.objects.all()
    assert schools.count() == 12
    key = county_term_keys(schools)[1]
    county_rows(schools=schools, key=key)  # every row computed and stored
    # the terms, the versions, the rows, the classes' enrolled students
    with django_assert_max_num_queries(5):
        rows = county_rows(schools=schools, key=key)
    assert len(rows) == 12 and all(row.figures is not None for row in rows)


def test_a_change_that_bypasses_the_audit_is_caught_by_the_check(world):
    child = left_behind_child(world.school_class, name="王小一")
    mentoring.create_log(model=Talk, child=child, data={"date": TODAY, "text": "谈心"}, author=world.mentor)
    schools = [world.school, world.other_school]
    _engine(schools, TODAY)
    # A write outside the services (a shell, a raw UPDATE): no audit row, so the version stays.
    Talk.objects.filter(child=child).update(is_deleted=True)
    assert _engine(schools, TODAY) != _scanned(schools, TODAY)  # the stored row does not know
    assert county_figures_drift(schools=schools, start=START, end=END, on=TODAY) == [world.school.pk]
    assert _engine(schools, TODAY) == _scanned(schools, TODAY)  # its row was dropped and is scanned again


def test_the_nightly_check_names_a_school_changed_outside_the_audit_and_its_figures_are_scanned_again(world):
    from io import StringIO

    from django.core.management import call_command

    child = left_behind_child(world.school_class, name="王小一")
    mentoring.create_log(model=Talk, child=child, data={"date": TODAY, "text": "谈心"}, author=world.mentor)
    schools = School.objects.order_by("name")
    key = county_term_keys(schools)[1]
    county_rows(schools=schools, key=key)  # the overview was read: rows stored
    Talk.objects.filter(child=child).update(is_deleted=True)  # outside the services
    out, err = StringIO(), StringIO()
    call_command("check_county_figures", stdout=out, stderr=err)
    assert "已核对 2 所学校的当前学期统计，1 所不一致。" in out.getvalue()
    assert world.school.name in err.getvalue() and world.other_school.name not in err.getvalue()
    row = next(r for r in county_rows(schools=schools, key=key) if r.school == world.school)
    assert row.figures.mentoring.talks_term == 0


def test_the_dashboard_reads_its_stored_row_and_the_nightly_check_catches_a_change_outside_the_audit(world):
    from io import StringIO

    from django.core.management import call_command

    from reports.selectors import school_term_figures

    child = left_behind_child(world.school_class, name="王小一")
    term = world.school.terms.get()
    assert school_term_figures(world.school, term).mentoring.talks_term == 0
    # Through the service: the audit row renews the version, so the dashboard shows the talk at once.
    mentoring.create_log(model=Talk, child=child, data={"date": TODAY, "text": "谈心"}, author=world.mentor)
    assert school_term_figures(world.school, term).mentoring.talks_term == 1
    Talk.objects.filter(child=child).update(is_deleted=True)  # outside the services
    assert school_term_figures(world.school, term).mentoring.talks_term == 1  # the stored row does not know
    out, err = StringIO(), StringIO()
    call_command("check_county_figures", stdout=out, stderr=err)
    assert "1 所不一致" in out.getvalue() and world.school.name in err.getvalue()
    assert school_term_figures(world.school, term).mentoring.talks_term == 0
