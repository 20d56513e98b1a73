"""The services' guarantees, called directly (as an importer or a command would)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from mentoring import services
from mentoring.models import Concern, ConcernStatus, HomeVisit, Pairing, Talk
from tests.factories import ChildFactory, ConcernFactory, ExternalMentorFactory, PairingFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def child(world):
    child = ChildFactory(school_class=world.school_class, left_behind_type="both_away")
    PairingFactory(child=child, mentor=world.mentor)
    return child


def test_a_log_and_its_concern_are_saved_together_or_not_at_all(world, child):
    with pytest.raises(ValidationError):
        services.create_log(
            model=HomeVisit,
            child=child,
            data={"date": TODAY, "text": "家访", "met_whom": ""},  # met_whom is required
            author=world.mentor,
            concern=services.ConcernData(category="safety", description="屋后水塘"),
        )
    assert not Concern.objects.exists() and not HomeVisit.objects.exists()
    visit = services.create_log(
        model=HomeVisit,
        child=child,
        data={"date": TODAY, "text": "家访", "met_whom": "奶奶"},
        author=world.mentor,
        concern=services.ConcernData(category="safety", description="屋后水塘"),
    )
    assert visit.concern.category == "safety" and visit.concern.raised_by == world.mentor


@pytest.mark.parametrize("days, message", [(1, "日期不能晚于今天"), (-400, "请检查是否填错了年份")])
def test_dates_in_the_future_or_long_ago_are_refused(world, child, days, message):
    with pytest.raises(ValidationError, match=message):
        services.create_log(
            model=Talk, child=child, data={"date": TODAY + timedelta(days=days), "text": "x"}, author=world.mentor
        )


def test_an_external_mentor_of_another_school_is_refused(world, child):
    outsider = ExternalMentorFactory(school=world.other_school)
    with pytest.raises(ValidationError):
        services.create_log(
            model=Talk,
            child=child,
            data={"date": TODAY, "text": "x"},
            author=world.coordinator,
            external_mentor=outsider,
        )


def test_a_concern_is_closed_once(world, child):
    concern = ConcernFactory(child=child, raised_by=world.mentor)
    services.close_concern(concern=concern, action_taken="已家访", acting_user=world.coordinator)
    assert concern.status == ConcernStatus.CLOSED
    with pytest.raises(ValidationError):
        services.close_concern(concern=concern, action_taken="再次", acting_user=world.coordinator)


def test_bulk_pairing_names_every_failing_child_and_saves_nothing(world):
    a, b, c = (ChildFactory(school_class=world.school_class, left_behind_type="both_away") for _ in range(3))
    PairingFactory(child=c, mentor=world.class_teacher)
    with pytest.raises(ValidationError) as error:
        services.bulk_pair(
            school=world.school,
            assignments=[(a, world.mentor), (b, world.mentor), (c, world.mentor)],
            start_date=TODAY,
            acting_user=world.coordinator,
        )
    assert len(error.value.messages) == 1 and c.name in error.value.messages[0]
    assert not Pairing.objects.filter(child__in=[a, b]).exists()


def test_a_second_mentor_can_join_and_an_ended_pairing_frees_the_slot(world, child):
    services.pair_child(
        child=child, mentor=world.class_teacher, start_date=TODAY, is_secondary=True, acting_user=world.coordinator
    )
    with pytest.raises(ValidationError, match="已有帮扶教师"):
        services.pair_child(child=child, mentor=world.class_teacher, start_date=TODAY, acting_user=world.coordinator)
    first = Pairing.objects.get(child=child, is_secondary=False)
    services.end_pairing(pairing=first, end_date=TODAY, acting_user=world.coordinator)
    services.pair_child(child=child, mentor=world.class_teacher, start_date=TODAY, acting_user=world.coordinator)
    assert Pairing.objects.filter(child=child, end_date__isnull=True).count() == 2


def test_external_volunteers_are_called_proxy_parents_by_default(world, child):
    volunteer = ExternalMentorFactory(school=world.school)
    other = ChildFactory(school_class=world.school_class, left_behind_type="both_away")
    pairing = services.pair_child(
        child=other, external_mentor=volunteer, start_date=TODAY, acting_user=world.coordinator
    )
    assert pairing.get_role_display() == "代理家长"
