"""The archive's completeness item that mentoring owns: a child is 已建档 only with a mentor paired on the
day the archive is judged. Registered in MentoringConfig.ready()."""

from datetime import date

from django.db.models import Exists, OuterRef, Q

from children.completeness import Requirement
from mentoring.models import Pairing


def _paired(on: date) -> Q:
    return Q(Exists(Pairing.objects.open_on(on).filter(child=OuterRef("pk"))))


PAIRING_REQUIREMENT = Requirement("pairing", "结对帮扶教师", _paired)
