"""Saving the 工作总结 and every report export leave an audit row by the acting user: CASES feed
tests/test_audit_policy.py."""

import pytest

from caretrack.models import AuditAction, AuditEvent, Term
from reports import selectors, services
from tests.audit_cases import AuditCase
from tests.reports.helpers import build_known_school


def _save_report(world):
    build_known_school(world)
    term = Term.objects.current(world.school)
    report = services.report_for(school=world.school, term=term)
    data = services.ReportData(sections={"situation": "本学期我校留守儿童情况稳定。"})
    services.save_term_report(report=report, data=data, acting_user=world.coordinator)
    return world.coordinator


def _export_pdf(world):
    build_known_school(world)
    term = Term.objects.current(world.school)
    services.export_term_report_pdf(school=world.school, term=term, acting_user=world.principal, bureau_copy=False)
    return world.principal


def _export_county(world):
    build_known_school(world)
    schools = [world.school, world.other_school]
    _, key = selectors.county_term_keys(schools)
    services.export_county_xlsx(schools=schools, key=key, acting_user=world.bureau)
    return world.bureau


CASES = [
    AuditCase(services.save_term_report, _save_report, AuditAction.CREATE),
    AuditCase(services.export_term_report_pdf, _export_pdf, AuditAction.EXPORT),
    AuditCase(services.export_county_xlsx, _export_county, AuditAction.EXPORT),
]


@pytest.mark.django_db
def test_saving_the_report_again_is_recorded_as_a_change(world):
    _save_report(world)
    term = Term.objects.current(world.school)
    report = services.report_for(school=world.school, term=term)
    data = services.ReportData(sections={"situation": "修改后的情况说明。"}, version=services.report_version(report))
    services.save_term_report(report=report, data=data, acting_user=world.principal)
    actions = list(AuditEvent.objects.filter(target__contains="工作总结").order_by("at").values_list("action", "user"))
    assert actions == [(AuditAction.CREATE, world.coordinator.pk), (AuditAction.CHANGE, world.principal.pk)]
