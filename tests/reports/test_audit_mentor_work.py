"""帮扶教师工作情况's Excel export leaves an audit row by the acting user: CASES feed tests/test_audit_policy.py."""

from django.utils import timezone

from caretrack.models import AuditAction, Term
from mentoring.selectors.per_mentor import mentor_work
from reports import services
from tests.audit_cases import AuditCase
from tests.reports.helpers import build_known_school


def _export_mentor_work(world):
    build_known_school(world)
    term = Term.objects.current(world.school)
    rows = mentor_work(school=world.school, terms=[term], today=timezone.localdate())
    services.export_mentor_work_xlsx(school=world.school, term=term, past=[], rows=rows, acting_user=world.coordinator)
    return world.coordinator


CASES = [AuditCase(services.export_mentor_work_xlsx, _export_mentor_work, AuditAction.EXPORT)]
