"""学校设置: the landing page, the principal's settings form and the one rule for 在校学生数."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from caretrack.models import AuditEvent, GradeSpan, School, Term
from caretrack.selectors import enrolled_students_total, enrolled_students_totals
from caretrack.services import school as services
from reports.selectors import school_term_figures
from tests.factories import SchoolClassFactory, SchoolFactory

pytestmark = pytest.mark.django_db


def _settings_post(**overrides):
    data = {"grade_span": "primary", "enrolled_students": "650", "max_children_per_mentor": "4"}
    data.update(overrides)
    return data


def test_the_landing_page_shows_the_school_and_links_to_every_part(world, login):
    response = login(world.coordinator).get(reverse("school:index"))
    assert response.status_code == 200
    text = response.content.decode()
    assert world.school.name in text and "600 人" in text and "小学" in text
    for name in ("staff:list", "school:classes", "school:terms", "school:leading_group", "rollover:checklist"):
        assert reverse(name) in text
    assert reverse("transfers:list") in text
    assert reverse("promotion:preview") not in text  # 升年级 is the principal's
    assert reverse("school:settings") not in text  # the settings are the principal's


def test_the_menu_offers_school_settings_to_school_managers_only(world, login):
    assert "学校设置" in login(world.principal).get(reverse("school:index")).content.decode()
    response = login(world.class_teacher).get(reverse("mentoring:my_students"))
    assert "学校设置" not in response.content.decode()


def test_teachers_and_the_bureau_cannot_open_school_settings(world, login):
    assert login(world.class_teacher).get(reverse("school:index")).status_code == 403
    assert login(world.bureau).get(reverse("school:index")).status_code == 403
    assert login(world.coordinator).get(reverse("school:settings")).status_code == 403


def test_the_principal_changes_the_settings_and_the_change_is_audited(world, login):
    client = login(world.principal)
    response = client.post(reverse("school:settings"), _settings_post(counts_one_parent_away="on"))
    assert response.status_code == 302
    school = School.objects.get(pk=world.school.pk)
    assert (school.enrolled_students, school.max_children_per_mentor, school.counts_one_parent_away) == (650, 4, True)
    event = AuditEvent.objects.filter(school=school, target__contains="学校设置").latest("at")
    assert event.detail["changes"]["enrolled_students"] == [600, 650]


def test_a_negative_enrolment_is_refused_with_a_message_and_nothing_changes(world, login):
    response = login(world.principal).post(reverse("school:settings"), _settings_post(enrolled_students="-5"))
    assert response.status_code == 200
    assert "在校学生数不能为负数" in response.content.decode()
    assert School.objects.get(pk=world.school.pk).enrolled_students == 600


def test_the_grade_span_cannot_leave_classes_outside_it(world, login):
    response = login(world.principal).post(reverse("school:settings"), _settings_post(grade_span="junior"))
    assert response.status_code == 200
    assert "本校还有三年级、四年级的班级" in response.content.decode()
    assert School.objects.get(pk=world.school.pk).grade_span == GradeSpan.PRIMARY


def test_when_classes_carry_their_figures_the_school_total_is_their_sum(world, login):
    services.set_class_enrolment(school_class=world.school_class, enrolled_students=45, acting_user=world.principal)
    services.set_class_enrolment(school_class=world.other_class, enrolled_students=40, acting_user=world.principal)
    assert enrolled_students_total(world.school) == 85
    response = login(world.principal).get(reverse("school:settings"))
    text = response.content.decode()
    assert "按各班合计（85 人）" in text and "disabled" in text
    # The read-only field is not taken from the post either.
    login(world.principal).post(reverse("school:settings"), _settings_post(enrolled_students="999"))
    assert enrolled_students_total(world.school) == 85


def test_a_graduated_class_no_longer_counts_in_the_total(world):
    SchoolClassFactory(school=world.school, grade=6, number=1, enrolled_students=50, graduated_on=date(2026, 7, 1))
    assert enrolled_students_total(world.school) == 600
    services.set_class_enrolment(school_class=world.school_class, enrolled_students=45, acting_user=world.principal)
    assert enrolled_students_total(world.school) == 45


def test_the_totals_of_many_schools_take_one_query(world, django_assert_num_queries):
    schools = [world.school, world.other_school] + [SchoolFactory() for _ in range(5)]
    SchoolClassFactory(school=world.other_school, grade=1, number=9, enrolled_students=33)
    with django_assert_num_queries(1):
        totals = enrolled_students_totals(schools)
    assert totals[world.school.pk] == 600 and totals[world.other_school.pk] == 33


def test_the_dashboard_ratio_uses_the_classes_sum(world):
    services.set_class_enrolment(school_class=world.school_class, enrolled_students=50, acting_user=world.principal)
    term = Term.objects.current(world.school)
    assert school_term_figures(world.school, term).enrolled == 50


def test_a_past_term_keeps_the_figure_it_had_when_the_next_one_became_current(world):
    old = Term.objects.current(world.school)
    new = Term.objects.create(
        school=world.school, start_year=2040, semester=1, start_date=date(2040, 9, 1), end_date=date(2041, 1, 31)
    )
    services.make_term_current(term=new, acting_user=world.principal)
    services.update_school_settings(school=world.school, data={"enrolled_students": 700}, acting_user=world.principal)
    school = School.objects.get(pk=world.school.pk)
    old.refresh_from_db()
    assert school_term_figures(school, old).enrolled == 600
    new.refresh_from_db()
    assert school_term_figures(school, new).enrolled == 700


def test_the_service_refuses_a_grade_span_that_leaves_classes_out(world):
    with pytest.raises(ValidationError):
        services.update_school_settings(school=world.school, data={"grade_span": "junior"}, acting_user=world.principal)
