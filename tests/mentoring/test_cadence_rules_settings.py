"""频次设置: one row per log kind (times + 每周/每月/每学期), Chinese messages for numbers out of range, one
audit row per save in the same transaction, nothing saved twice; and the migration that turns the old
fixed cadence into rules of the same meaning."""

import importlib
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from caretrack.models import AuditAction, AuditEvent
from mentoring import services
from mentoring.models import CadenceRule

pytestmark = pytest.mark.django_db

DEFAULT_POST = {
    "talk_times": 1,
    "talk_per": "week",
    "visit_times": 1,
    "visit_per": "term",
    "family_times": 1,
    "family_per": "month",
    "guardian_times": 1,
    "guardian_per": "month",
    "max_children_per_mentor": 4,
}


def post(client, **changes):
    return client.post(reverse("mentoring:settings"), {**DEFAULT_POST, **changes})


def rules_of(school):
    return {r.kind: (r.times, r.per) for r in CadenceRule.objects.filter(school=school)}


def test_the_page_shows_one_row_per_kind_with_the_schools_rules(client, world):
    CadenceRule.objects.create(school=world.school, kind="visit", times=2, per="month")
    client.force_login(world.coordinator)
    html = client.get(reverse("mentoring:settings")).content.decode()
    for kind, label in (("talk", "谈心"), ("visit", "家访"), ("family", "亲情联系"), ("guardian", "监护人沟通")):
        assert f'data-rule="{kind}"' in html and label in html
    assert 'name="visit_times" value="2"' in html
    assert '<option value="month" selected>每月</option>' in html


def test_saving_twice_a_month_visits_is_kept_and_audited(client, world):
    client.force_login(world.coordinator)
    response = post(client, visit_times=2, visit_per="month")
    assert response.status_code == 302
    assert rules_of(world.school)["visit"] == (2, "month")
    event = AuditEvent.objects.get(action=AuditAction.CHANGE, detail__model="cadencerule")
    assert event.user == world.coordinator and event.school == world.school
    assert event.detail["rules"]["visit"] == "2/month"


def test_posting_the_same_form_twice_keeps_one_rule_per_kind(client, world):
    client.force_login(world.coordinator)
    post(client, talk_times=2)
    post(client, talk_times=2)
    assert CadenceRule.objects.filter(school=world.school).count() == 4
    assert rules_of(world.school)["talk"] == (2, "week")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"talk_times": 8, "talk_per": "week"}, "谈心每周最多7次，请您填写1到7之间的数字。"),
        ({"family_times": 11, "family_per": "month"}, "亲情联系每月最多10次，请您填写1到10之间的数字。"),
        ({"visit_times": 7, "visit_per": "term"}, "家访每学期最多6次，请您填写1到6之间的数字。"),
        ({"guardian_times": 0}, "监护人沟通至少1次。"),
        ({"talk_times": "两"}, "谈心次数请填写数字。"),
        ({"visit_per": "day"}, "请选择每周、每月或每学期。"),
    ],
)
def test_numbers_out_of_range_are_refused_in_chinese_and_nothing_is_saved(client, world, changes, message):
    client.force_login(world.coordinator)
    response = post(client, **changes)
    assert response.status_code == 200 and message in response.content.decode()
    assert not CadenceRule.objects.filter(school=world.school).exists()
    assert not AuditEvent.objects.filter(detail__model="cadencerule").exists()


def test_a_rule_refused_by_the_service_leaves_the_other_rules_and_the_audit_untouched(world):
    rules = {"talk": {"times": 3, "per": "week"}, "visit": {"times": 9, "per": "term"}}
    with pytest.raises(ValidationError) as error:
        services.save_cadence(school=world.school, rules=rules, max_children_per_mentor=4, acting_user=world.principal)
    assert "家访每学期应为1到6次" in str(error.value)
    assert not CadenceRule.objects.filter(school=world.school).exists()
    assert not AuditEvent.objects.filter(detail__model="cadencerule").exists()


def test_a_teacher_cannot_change_the_cadence(client, world):
    client.force_login(world.mentor)
    assert post(client, talk_times=3).status_code in (403, 404)
    assert not CadenceRule.objects.filter(school=world.school).exists()


# --- Migration 0006: the old fixed cadence becomes rules of the same meaning ----------------------------


class _Rows:
    def __init__(self, rows):
        self.rows, self.created = rows, []

    def all(self):
        return self.rows

    def bulk_create(self, objs):
        self.created.extend(objs)


def test_old_cadences_become_equivalent_rules_and_back():
    migration = importlib.import_module("mentoring.migrations.0006_cadence_rules")
    old = SimpleNamespace(
        school_id=7, talks_per_week=2, visits_per_term=3, guardian_contacts_per_month=1, family_contacts_per_month=4
    )
    cadences, rules = _Rows([old]), _Rows([])
    managers = {"Cadence": cadences, "CadenceRule": rules}
    apps = SimpleNamespace(get_model=lambda app, name: _model(managers, name))
    migration.cadence_to_rules(apps, None)
    assert {(r.kind, r.times, r.per) for r in rules.created} == {
        ("talk", 2, "week"),
        ("visit", 3, "term"),  # 期初、期中、期末: three parts of the term, one visit each
        ("guardian", 1, "month"),
        ("family", 4, "month"),
    }
    rules.rows, cadences.created = rules.created, []
    migration.rules_to_cadence(apps, None)
    (back,) = cadences.created
    assert (back.talks_per_week, back.visits_per_term, back.guardian_contacts_per_month) == (2, 3, 1)
    assert back.family_contacts_per_month == 4


def _model(managers, name):
    """A stand-in for a historical model: calling it builds a row (with the old defaults for Cadence),
    .objects is the fake manager."""
    fields = {
        "Cadence": dict(talks_per_week=1, visits_per_term=1, guardian_contacts_per_month=1, family_contacts_per_month=1)
    }

    class Model(SimpleNamespace):
        objects = managers[name]

        def __init__(self, **kwargs):
            super().__init__(**{**fields.get(name, {}), **kwargs})

    return Model
