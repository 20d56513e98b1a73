"""Operations on the organisation: terms and staff."""

from django.db import transaction

from caretrack.models import Term


@transaction.atomic
def set_current_term(*, term: Term) -> Term:
    """Make `term` its school's only current term (the database allows exactly one)."""
    Term.objects.filter(school_id=term.school_id, is_current=True).exclude(pk=term.pk).update(is_current=False)
    if not term.is_current:
        term.is_current = True
        term.save(update_fields=["is_current"])
    return term
