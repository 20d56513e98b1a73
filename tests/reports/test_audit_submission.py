"""Audit cases for submitting the 工作总结 to the county bureau (tests/test_audit_policy.py runs CASES): the
principal's submission, the bureau's return, deadline and downloads each leave their own row by the acting
user, and a change whose audit row cannot be written is not saved either (one transaction)."""

from __future__ import annotations

import tempfile
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from caretrack.models import AuditAction, AuditEvent
from reports import services, submission_selectors
from reports.models import ReportDeadline, TermReportReturn, TermReportSubmission
from tests.audit_cases import AuditCase

pytestmark = pytest.mark.django_db


@contextmanager
def _private_media():
    """The frozen PDFs go to a directory of their own, removed afterwards (the policy test has no settings
    fixture to lend)."""
    with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
        yield


def _term(world):
    return world.school.terms.get()


def _submitted(world) -> TermReportSubmission:
    """Saved by the coordinator and submitted by the principal, so no row of the setup is by the user a
    later case checks."""
    report = services.report_for(school=world.school, term=_term(world))
    data = services.ReportData(sections={"situation": "本学期我校留守儿童情况稳定。"})
    report = services.save_term_report(report=report, data=data, acting_user=world.coordinator)
    return services.submit_term_report(
        school=world.school, term=_term(world), version=services.report_version(report), acting_user=world.principal
    )


def _submit(world):
    with _private_media():
        _submitted(world)
    return world.principal


def _return(world):
    with _private_media():
        services.return_term_report(submission=_submitted(world), comment="请补充家访数据。", acting_user=world.bureau)
    return world.bureau


def _set_deadline(world):
    services.set_deadline(
        schools=world.bureau.profile.bureau_schools.all(),
        key=submission_selectors.term_key(_term(world)),
        due_on=timezone.localdate() + timedelta(days=7),
        acting_user=world.bureau,
    )
    return world.bureau


def _export_copy(world):
    with _private_media():
        services.export_submitted_copy(submission=_submitted(world), acting_user=world.bureau)
    return world.bureau


def _export_zip(world):
    with _private_media():
        submission = _submitted(world)
        key = submission_selectors.term_key(_term(world))
        services.export_submitted_zip(submissions=[submission], key=key, acting_user=world.bureau)
    return world.bureau


CASES = [
    AuditCase(services.submit_term_report, _submit, AuditAction.CREATE),
    AuditCase(services.return_term_report, _return, AuditAction.CHANGE),
    AuditCase(services.set_deadline, _set_deadline, AuditAction.CHANGE),
    AuditCase(services.export_submitted_copy, _export_copy, AuditAction.EXPORT),
    AuditCase(services.export_submitted_zip, _export_zip, AuditAction.EXPORT),
]

KINDS = {
    services.submit_term_report: "term_report_submission",
    services.return_term_report: "term_report_return",
    services.set_deadline: "term_report_deadline",
    services.export_submitted_copy: "term_report_submission_pdf",
    services.export_submitted_zip: "term_report_submissions_zip",
}


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_each_submission_service_writes_its_own_row(case, world):
    """The row of the service itself (its kind), not one left by the setup's save or submission."""
    user = case.call(world)
    event = AuditEvent.objects.get(detail__kind=KINDS[case.service])
    assert (event.user, event.action) == (user, case.action)


def test_a_submission_whose_audit_row_fails_is_not_saved(world, monkeypatch):
    def refuse(**kwargs):
        raise RuntimeError("audit log unavailable")

    with _private_media():
        report = services.report_for(school=world.school, term=_term(world))
        data = services.ReportData(sections={"situation": "甲"})
        report = services.save_term_report(report=report, data=data, acting_user=world.coordinator)
        monkeypatch.setattr(services.audit, "record", refuse)
        with pytest.raises(RuntimeError):
            services.submit_term_report(
                school=world.school,
                term=_term(world),
                version=services.report_version(report),
                acting_user=world.principal,
            )
    assert not TermReportSubmission.objects.exists()


def test_a_return_or_deadline_whose_audit_row_fails_is_not_saved(world, monkeypatch):
    def refuse(**kwargs):
        raise RuntimeError("audit log unavailable")

    with _private_media():
        submission = _submitted(world)
        monkeypatch.setattr(services.audit, "record", refuse)
        with pytest.raises(RuntimeError):
            services.return_term_report(submission=submission, comment="数字有误", acting_user=world.bureau)
        with pytest.raises(RuntimeError):
            _set_deadline(world)
    assert not TermReportReturn.objects.exists()
    assert not ReportDeadline.objects.exists()
