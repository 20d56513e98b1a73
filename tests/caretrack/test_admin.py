import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import ChildFactory, GuardianFactory, ParentFactory


@pytest.mark.django_db
def test_every_model_has_a_working_admin_changelist(admin_client):
    child = ChildFactory()
    ParentFactory(child=child)
    GuardianFactory(child=child)
    for model in admin.site._registry:
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert admin_client.get(url).status_code == 200, url


def test_every_project_model_is_registered_in_the_admin():
    from django.apps import apps

    project_apps = {"caretrack", "children", "guardians", "mentoring", "activities", "reports"}
    missing = [
        m._meta.label
        for m in apps.get_models()
        if m._meta.app_label in project_apps
        and not m.__name__.startswith("Historical")
        and m not in admin.site._registry
    ]
    assert not missing, f"models without an admin: {missing}"
