"""One audit policy: every service that takes acting_user writes its AuditEvent in the same transaction
as the change. A new service without a case in its app's tests/<app>/test_audit*.py fails here."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

from caretrack.models import AuditAction, AuditEvent
from tests.audit_cases import AuditCase

APPS = ["caretrack", "children", "mentoring", "activities", "reports"]


def _service_modules():
    """Each app's services module, the modules of a services package, and <app>/<part>_services.py."""
    for app in APPS:
        package = importlib.import_module(app)
        for info in pkgutil.iter_modules(package.__path__):
            if info.name.endswith("_services"):
                yield importlib.import_module(f"{app}.{info.name}")
        try:
            module = importlib.import_module(f"{app}.services")
        except ModuleNotFoundError:
            continue
        yield module
        if hasattr(module, "__path__"):
            for info in pkgutil.iter_modules(module.__path__):
                yield importlib.import_module(f"{module.__name__}.{info.name}")


def services_taking_acting_user() -> set[str]:
    found = set()
    for module in _service_modules():
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ != module.__name__ or name.startswith("_"):
                continue
            if "acting_user" in inspect.signature(fn).parameters:
                found.add(f"{fn.__module__}.{name}")
    return found


def all_cases() -> list[AuditCase]:
    """The CASES of each app's tests/<app>/test_audit.py and of its test_audit_<part>.py modules."""
    cases = []
    for app in APPS:
        package = importlib.import_module(f"tests.{app}")
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
            if info.name == "test_audit" or info.name.startswith("test_audit_"):
                cases.extend(importlib.import_module(f"tests.{app}.{info.name}").CASES)
    return cases


def test_every_service_that_takes_acting_user_has_an_audit_case():
    covered = {case.id for case in all_cases()}
    missing = services_taking_acting_user() - covered
    assert not missing, f"services without an audit case: {sorted(missing)}"


@pytest.mark.parametrize("case", all_cases(), ids=lambda case: case.id)
def test_service_writes_its_audit_row(case: AuditCase, world):
    before = set(AuditEvent.objects.values_list("pk", flat=True))
    user = case.call(world)
    new = AuditEvent.objects.exclude(pk__in=before)
    assert new.filter(action=case.action, user=user).exists(), (
        f"{case.id} wrote {list(new.values_list('action', 'user__username'))}, expected {case.action} by {user}"
    )
    for event in new.filter(action=AuditAction.EXPORT):
        assert isinstance(event.detail.get("full_identifiers"), bool), f"{case.id}: export row without full_identifiers"
