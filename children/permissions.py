"""Who may see or change a child's archive, built on the core roles (caretrack.permissions).

A child is seen by the school's managers, by the head teacher of the child's class and by whoever an app
above grants through a registered scope: mentoring registers "children paired to me"
(MentoringConfig.ready), so this module never needs to know what a pairing is.

Masking of ID numbers and phones is decided here too, once, for every page, card and export: see
identifiers_visible().
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from enum import Enum

from django.db.models import Q, QuerySet
from django.http import Http404

from caretrack.permissions import get_roles, manages_school_or_heads_a_class, require_school_manager
from caretrack.validation import mask_id_number, mask_phone
from children.models import ACTIVE_STATUSES, Child, TransferRequest

# A scope takes a user and returns a Q on Child for the extra children that user may see.
ChildScope = Callable[[object], Q]
_SCOPES: list[ChildScope] = []


def register_child_scope(scope: ChildScope) -> None:
    """Called by an upper app at start-up: scope(user) → Q on Child of the children it lets the user see."""
    if scope not in _SCOPES:
        _SCOPES.append(scope)


def children_visible_to(user) -> QuerySet:
    """Every child the user may see at child level (none for bureau users)."""
    roles = get_roles(user)
    if not roles.school_id:
        return Child.objects.none()
    school_children = Child.objects.filter(school_id=roles.school_id)
    if roles.manages_school:
        return _with_earlier_records(school_children)
    q = Q(school_class__head_teacher=user)
    for scope in _SCOPES:
        q |= scope(user)
    return _with_earlier_records(school_children.filter(q))


# A transferred child's records at earlier schools (transferred_from, and so on back) are read with the rights
# the reader has on the current record, and only while its chronology is being built: children.chronology
# opens this for that one call (reading_earlier_records), after checking the reader may read the current record.
_EARLIER_RECORDS: ContextVar[frozenset[int]] = ContextVar("earlier_records", default=frozenset())


@contextmanager
def reading_earlier_records(record_ids) -> Iterator[None]:
    token = _EARLIER_RECORDS.set(frozenset(record_ids))
    try:
        yield
    finally:
        _EARLIER_RECORDS.reset(token)


def _with_earlier_records(visible: QuerySet) -> QuerySet:
    earlier = _EARLIER_RECORDS.get()
    return visible | Child.objects.filter(pk__in=earlier) if earlier else visible


def children_editable_by(user) -> QuerySet:
    """Children whose archive the user may change: school managers, and class teachers for their class."""
    roles = get_roles(user)
    if not roles.school_id:
        return Child.objects.none()
    school_children = Child.objects.filter(school_id=roles.school_id)
    if roles.manages_school:
        return school_children
    return school_children.filter(school_class__head_teacher=user)


def get_child_for_user(user, pk, *, write: bool = False) -> Child:
    """Fetch a child the user may see (or change, with write=True); 404 otherwise, so that a teacher
    who edits the URL learns nothing about children outside their scope."""
    queryset = children_editable_by(user) if write else children_visible_to(user)
    try:
        return queryset.select_related("school", "school_class").get(pk=pk)
    except (Child.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该学生，或您无权查看。") from None


def can_create_child(user) -> bool:
    """School managers, and class teachers for their own classes."""
    return manages_school_or_heads_a_class(user)


def can_promote_school(user) -> bool:
    """升年级 (and undoing it on the same day) moves every class of the school: the principal's alone."""
    return get_roles(user).is_principal


def can_edit_child(user, child) -> bool:
    """School managers and the class's head teacher, while the child is on the roll: a record that ended
    (转出, 毕业) is read-only."""
    roles = get_roles(user)
    if roles.school_id != child.school_id or child.status not in ACTIVE_STATUSES:
        return False
    return roles.manages_school or child.school_class.head_teacher_id == user.pk


# --- 转学: who asks, withdraws and decides ------------------------------------------------------------


def can_transfer_child(user, child) -> bool:
    """转出 (to a school of this installation or elsewhere) and the 转学档案 PDF: the principal or the
    coordinator of the child's school."""
    roles = get_roles(user)
    return roles.manages_school and roles.school_id == child.school_id


def can_withdraw_transfer(user, transfer) -> bool:
    """The sending school's principal or coordinator."""
    roles = get_roles(user)
    return roles.manages_school and roles.school_id == transfer.from_school_id


def can_decide_transfer(user, transfer) -> bool:
    """Accepting or declining: the receiving school's principal or coordinator."""
    roles = get_roles(user)
    return roles.manages_school and roles.school_id == transfer.to_school_id


def get_transfer_for_user(user, pk) -> TransferRequest:
    """A transfer request from or to the manager's school: 403 for other roles, 404 for another school's."""
    school = require_school_manager(user)
    try:
        return (
            TransferRequest.objects.select_related("child__school_class", "from_school", "to_school")
            .filter(Q(from_school=school) | Q(to_school=school))
            .get(pk=pk)
        )
    except (TransferRequest.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该转学申请，或您无权查看。") from None


# --- Masking: the one policy for full ID numbers and phones ---------------------------------------


class Place(Enum):
    """Where identifiers are shown. Each is audited when it shows full values."""

    CHILD_PAGE = "child_page"
    ARCHIVE_FORM = "archive_form"  # the edit page: its fields hold the full values, for those who may edit
    CONTACT_CARD = "contact_card"
    EXPORT = "export"


def identifiers_visible(user, *, place: Place, child=None, school=None) -> bool:
    """Whether `user` sees full ID numbers and phones at `place` (masked otherwise).

    - On the child page, the archive's edit page and the printed contact card: those who may edit the
      child's archive (school managers, the child's head teacher); a mentor sees masked numbers on the
      child page and the card alike (and never reaches the edit page).
    - In an export: only the school's principal or coordinator (and only when they ask for full values;
      the default export is masked, which the caller decides).
    """
    if place is Place.EXPORT:
        roles = get_roles(user)
        return roles.manages_school and roles.school_id == getattr(school, "pk", None)
    return can_edit_child(user, child)


def show_identifiers(child, people, *, full: bool) -> None:
    """Put the values the policy allowed (`full`, from identifiers_visible) on the child and the family
    members shown with it, for the template to print as they are: `shown_id_number` on the child,
    `shown_phone` on each parent or guardian."""
    child.shown_id_number = (child.id_number if full else mask_id_number(child.id_number)) or "—"
    for person in people:
        person.shown_phone = (person.phone if full else mask_phone(person.phone)) or "—"
