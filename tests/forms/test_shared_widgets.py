"""A rejected date on one teacher's form must not turn every later form red: each form instance has its own
widgets, whoever opened a form before."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from datetime import timedelta

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone

from tests.factories import ChildFactory, PairingFactory, StaffFactory

pytestmark = pytest.mark.django_db

PROJECT_PACKAGES = ["caretrack", "children", "guardians", "mentoring", "activities", "reports"]


def date_input_tag(html: str) -> str:
    match = re.search(r'<input[^>]*name="date"[^>]*>', html)
    assert match, "the form has a date field"
    return match.group(0)


@pytest.fixture
def child(world):
    today = timezone.localdate()
    child = ChildFactory(school_class=world.school_class, left_behind_type="both_away", name="王小花")
    PairingFactory(child=child, mentor=world.mentor, start_date=today - timedelta(days=30))
    return child


def test_a_rejected_date_does_not_mark_the_date_red_on_the_next_teachers_form(client, world, child):
    client.force_login(world.mentor)
    url = reverse("mentoring:talk_create", args=[child.pk])
    bad = client.post(url, {"date": "2026-02-30", "place": "office", "mood": "4", "text": "聊了学习。"})
    assert bad.status_code == 200 and "is-invalid" in date_input_tag(bad.content.decode())

    other = StaffFactory(school=world.school, user__first_name="王老师").user
    PairingFactory(child=child, mentor=other, is_secondary=True, start_date=timezone.localdate() - timedelta(days=3))
    client.force_login(other)
    for kind in ("talk", "visit", "family_contact", "guardian_contact"):
        html = client.get(reverse(f"mentoring:{kind}_create", args=[child.pk])).content.decode()
        assert "is-invalid" not in date_input_tag(html), kind


def project_modules():
    for package_name in PROJECT_PACKAGES:
        package = importlib.import_module(package_name)
        yield package
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{package_name}."):
            if ".migrations" in info.name or info.name.endswith((".wsgi", ".asgi")) or ".management" in info.name:
                continue
            yield importlib.import_module(info.name)


def test_no_module_holds_a_widget_instance_that_forms_could_share():
    """A widget object at module level ends up in the fields of many forms; the core's widgets are classes or
    factories that make a new one each time."""
    shared = [
        f"{module.__name__}.{name}"
        for module in project_modules()
        for name, value in vars(module).items()
        if isinstance(value, forms.Widget)
    ]
    assert shared == []


def form_classes():
    seen = set()
    for module in project_modules():
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, forms.BaseForm)
                and value.__module__ == module.__name__
                and value not in seen
                and not (issubclass(value, forms.BaseModelForm) and value._meta.model is None)
            ):
                seen.add(value)
                yield value


def test_two_instances_of_any_project_form_never_share_a_widget(world):
    """Every form class of every app, made twice with the arguments its __init__ asks for: no widget object
    appears in both."""
    from caretrack.models import SchoolClass, Term

    available = {
        "school": world.school,
        "classes": SchoolClass.objects.filter(school=world.school),
        "user": world.coordinator,
        "acting_user": world.coordinator,
        "term": Term.objects.filter(school=world.school).first(),
        "external_mentors": None,
    }
    checked = []
    for form_class in form_classes():
        params = inspect.signature(form_class.__init__).parameters
        required = [
            p.name for p in params.values()
            if p.kind == p.KEYWORD_ONLY and p.default is inspect.Parameter.empty
        ]
        if any(name not in available for name in required):
            continue
        kwargs = {name: available[name] for name in required}
        try:
            first, second = form_class(**kwargs), form_class(**kwargs)
        except TypeError:
            continue
        for name, field in first.fields.items():
            if name in second.fields:
                assert field.widget is not second.fields[name].widget, f"{form_class.__qualname__}.{name}"
        checked.append(form_class.__qualname__)
    assert {"TalkForm", "HomeVisitForm", "ChildForm", "PairingForm"} <= set(checked), checked
