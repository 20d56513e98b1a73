from datetime import date

import pytest

from children.models import AwayStatus, LeftBehindType, Parent, ParentRole
from children.selectors import archive_rate
from children.services import classify_left_behind, reclassify_child
from tests.factories import (
    AssessmentFactory,
    ChildFactory,
    GuardianFactory,
    PairingFactory,
    ParentFactory,
    TermFactory,
)

ON = date(2026, 11, 25)
BIRTH = date(2017, 3, 2)


def parents(father: str, mother: str, mother_capable: bool = True) -> list[Parent]:
    return [
        Parent(role=ParentRole.FATHER, away_status=father),
        Parent(role=ParentRole.MOTHER, away_status=mother, has_guardianship_capacity=mother_capable),
    ]


@pytest.mark.parametrize(
    "father, mother, capable, school_usage, expected",
    [
        (AwayStatus.WORKING_AWAY, AwayStatus.WORKING_AWAY, True, False, LeftBehindType.BOTH_AWAY),
        (AwayStatus.WORKING_AWAY, AwayStatus.AT_HOME, False, False, LeftBehindType.ONE_AWAY_OTHER_INCAPABLE),
        (AwayStatus.WORKING_AWAY, AwayStatus.DECEASED, True, False, LeftBehindType.ONE_AWAY_OTHER_INCAPABLE),
        (AwayStatus.WORKING_AWAY, AwayStatus.IMPRISONED, True, False, LeftBehindType.ONE_AWAY_OTHER_INCAPABLE),
        (AwayStatus.WORKING_AWAY, AwayStatus.AT_HOME, True, False, LeftBehindType.NOT_LEFT_BEHIND),
        (AwayStatus.WORKING_AWAY, AwayStatus.AT_HOME, True, True, LeftBehindType.ONE_AWAY),
        (AwayStatus.AT_HOME, AwayStatus.AT_HOME, True, True, LeftBehindType.NOT_LEFT_BEHIND),
    ],
)
def test_type_follows_the_2016_definition_and_the_school_setting(father, mother, capable, school_usage, expected):
    kind = classify_left_behind(
        parents=parents(father, mother, capable), birth_date=BIRTH, on=ON, counts_one_parent_away=school_usage
    )
    assert kind == expected


def test_a_child_of_sixteen_is_no_longer_left_behind():
    both_away = parents(AwayStatus.WORKING_AWAY, AwayStatus.WORKING_AWAY)
    assert classify_left_behind(
        parents=both_away, birth_date=date(2010, 11, 26), on=ON, counts_one_parent_away=False
    ) == (LeftBehindType.BOTH_AWAY)
    assert classify_left_behind(
        parents=both_away, birth_date=date(2010, 11, 25), on=ON, counts_one_parent_away=False
    ) == (LeftBehindType.NOT_LEFT_BEHIND)


def complete_child(school_class, **kwargs):
    child = ChildFactory(school_class=school_class, **kwargs)
    ParentFactory(child=child, role=ParentRole.FATHER)
    ParentFactory(child=child, role=ParentRole.MOTHER, name="李秀兰")
    GuardianFactory(child=child)
    AssessmentFactory(child=child)
    PairingFactory(child=child)
    reclassify_child(child=child, on=date(2026, 9, 1))
    return child


@pytest.mark.django_db
def test_archive_rate_counts_a_child_whose_father_came_home_mid_term_for_that_term_only(world):
    term = world.school.terms.get()
    next_term = TermFactory(
        school=world.school,
        start_year=2026,
        semester=2,
        is_current=False,
        start_date=date(2027, 2, 20),
        end_date=date(2027, 7, 5),
    )
    complete = [complete_child(world.school_class) for _ in range(3)]
    incomplete = ChildFactory(school_class=world.other_class)
    ParentFactory(child=incomplete, role=ParentRole.FATHER)
    ParentFactory(child=incomplete, role=ParentRole.MOTHER, phone="")
    reclassify_child(child=incomplete, on=date(2026, 9, 1))
    ChildFactory(school_class=world.school_class)  # not left-behind: never counted
    # Outside the school: never counted.
    complete_child(world.foreign_class)

    returner = complete[0]
    from children.services import update_parent_status

    update_parent_status(
        child=returner,
        role=ParentRole.FATHER,
        values={"away_status": AwayStatus.AT_HOME},
        on=date(2026, 11, 10),
        reason="父亲返乡",
        acting_user=world.coordinator,
    )
    returner.refresh_from_db()
    assert returner.left_behind_type == LeftBehindType.NOT_LEFT_BEHIND
    period = returner.left_behind_periods.get()
    assert (period.start_date, period.end_date) == (date(2026, 9, 1), date(2026, 11, 9))

    # This term: 4 left-behind children (the returner still counts), 3 complete archives.
    rate = archive_rate(schools=[world.school], term=term, on=date(2026, 11, 25))
    assert (rate.total, rate.complete) == (4, 3)
    assert rate.rate == 75.0
    assert [(r.label, r.total, r.complete) for r in rate.by_class] == [("三年级(2)班", 3, 3), ("四年级(1)班", 1, 0)]
    assert dict(rate.missing) == {"委托监护人及其联系电话": 1, "家庭监护类型评估": 1}  # a pairing is 结对率's
    # Next term the returner has left the programme: 3 children, 2 complete.
    later = archive_rate(schools=[world.school], term=next_term, on=date(2027, 3, 1))
    assert (later.total, later.complete) == (3, 2)


@pytest.mark.django_db
def test_changing_type_twice_on_one_day_leaves_no_empty_period(world):
    child = complete_child(world.school_class)
    day = date(2026, 10, 8)
    for status in (AwayStatus.AT_HOME, AwayStatus.WORKING_AWAY):
        Parent.objects.filter(child=child, role=ParentRole.FATHER).update(away_status=status)
        reclassify_child(child=child, on=day)
    periods = list(child.left_behind_periods.order_by("start_date").values_list("kind", "start_date", "end_date"))
    assert periods == [
        (LeftBehindType.BOTH_AWAY, date(2026, 9, 1), date(2026, 10, 7)),
        (LeftBehindType.BOTH_AWAY, date(2026, 10, 8), None),
    ]
