"""Operations that change a child's archive, one at a time (the archive form) or many (the Excel import).
Each runs in one transaction: the child, the parents, the guardian, the 留守 classification, the history
rows and the audit row are saved together or not at all. A new archive's rows are built by one function
(_new_archive) whichever path saves them, so the form and the import store the same rows. One module past
400 lines on purpose: the single and bulk write paths, the version check and the classification must be
read together to see that they write the same rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from pypinyin import Style, lazy_pinyin
from simple_history.utils import bulk_update_with_history

from caretrack import audit, bulk
from caretrack.models import AuditAction, School
from children.lifecycle import LeavingReason, children_left, children_returned
from children.models import (
    ACTIVE_STATUSES,
    EVIDENCED_STATUSES,
    LEFT_BEHIND_AGE_LIMIT,
    AwayStatus,
    Child,
    ChildHardship,
    EnrolmentStatus,
    FamilyAssessment,
    Grandparent,
    Guardian,
    LeftBehindPeriod,
    LeftBehindType,
    Parent,
    ParentRole,
    years_before,
)
from children.permissions import children_visible_to
from children.services.care import (
    classify_unsupported,
    new_hardship,
    new_unsupported_periods,
    set_hardships,
    unsupported_period_change,
)

# Parents in these states cannot look after the child, whatever has_guardianship_capacity says.
_UNABLE_STATES = EVIDENCED_STATUSES

NEW_ARCHIVE_PERIOD_REASON = "建档"  # the first 留守 period of a new archive, whether typed in or imported
AGE_LIMIT_END_REASON = "年满16周岁"  # why a 留守 period ends on the day before the 16th birthday
# The statuses in which a record has left the school's roll, and what that leaving is called elsewhere.
LEAVING_REASONS = {
    EnrolmentStatus.TRANSFERRED: LeavingReason.TRANSFERRED,
    EnrolmentStatus.GRADUATED: LeavingReason.GRADUATED,
}
# Not checked row by row in bulk: the school and the class come from the importer's own lookups, and each
# foreign-key check would cost a query per child.
_BULK_UNCHECKED = ["school", "school_class", "created_by"]
_BATCH = 500


def name_initials(name: str) -> str:
    """张三 → "zs": lets a teacher find a child by typing pinyin initials on a phone keyboard."""
    return "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")).lower()


def age_on(birth_date: date, on: date) -> int:
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def classify_left_behind(
    *, parents: list[Parent], birth_date: date, on: date, counts_one_parent_away: bool
) -> LeftBehindType:
    """The child's 留守类型 on a date, from the parents' records (国发〔2016〕13号):
    under 16, and both parents away for work, or one away and the other unable to look after the child.
    Schools that also care for children with one parent away (the school usage) switch that on per school.
    A parent without a record counts as at home and able."""
    if age_on(birth_date, on) >= LEFT_BEHIND_AGE_LIMIT:
        return LeftBehindType.NOT_LEFT_BEHIND
    by_role = {p.role: p for p in parents}
    away = [p for p in by_role.values() if p.away_status == AwayStatus.WORKING_AWAY]
    if len(away) == 2:
        return LeftBehindType.BOTH_AWAY
    if len(away) == 1:
        other_role = ParentRole.MOTHER if away[0].role == ParentRole.FATHER else ParentRole.FATHER
        other = by_role.get(other_role)
        if other is not None and (other.away_status in _UNABLE_STATES or not other.has_guardianship_capacity):
            return LeftBehindType.ONE_AWAY_OTHER_INCAPABLE
        if counts_one_parent_away:
            return LeftBehindType.ONE_AWAY
    return LeftBehindType.NOT_LEFT_BEHIND


def last_left_behind_day(birth_date: date) -> date:
    """The day before the 16th birthday: the last day a child can be left-behind (国发〔2016〕13号)."""
    return years_before(birth_date, -LEFT_BEHIND_AGE_LIMIT) - timedelta(days=1)


def reclassify_child(*, child: Child, on: date | None = None, reason: str = "", end_reason: str = "") -> LeftBehindType:
    """Recompute the child's 留守类型 from the saved parents and keep the history of periods: when the
    type changes, the open period ends the day before `on` (with `end_reason`) and a new one starts on
    `on`. A child who is 16 by `on` left 留守 on the 16th birthday: the period ends the day before it,
    with the reason 年满16周岁, whenever it is noticed."""
    on = on or timezone.localdate()
    parents = list(child.parents.all())
    kind = classify_left_behind(
        parents=parents, birth_date=child.birth_date, on=on, counts_one_parent_away=child.school.counts_one_parent_away
    )
    # 事实无人抚养 follows the same parents' records, kept as periods the same way.
    unsupported_period_change(
        child=child,
        unsupported=classify_unsupported(parents=parents, birth_date=child.birth_date, on=on),
        on=on,
        reason=reason,
        end_reason=end_reason,
    )
    open_period = child.left_behind_periods.filter(end_date__isnull=True).first()
    if open_period is None or open_period.kind != kind:
        if open_period is not None:
            end_date, why = on - timedelta(days=1), end_reason
            if age_on(child.birth_date, on) >= LEFT_BEHIND_AGE_LIMIT:
                end_date, why = min(end_date, last_left_behind_day(child.birth_date)), AGE_LIMIT_END_REASON
            if open_period.start_date > end_date:
                # Changed again on the day it started: the short-lived period never really happened.
                open_period.delete()
            else:
                open_period.end_date, open_period.end_reason = end_date, why[:200]
                open_period.save(update_fields=["end_date", "end_reason"])
        if kind != LeftBehindType.NOT_LEFT_BEHIND:
            _new_period(child, kind, on=on, reason=reason).save()
    if child.left_behind_type != kind:
        child.left_behind_type = kind
        child.save(update_fields=["left_behind_type", "updated_at"])
    return kind


@dataclass
class ArchiveData:
    """Cleaned input for one child's archive, as the archive form or the Excel importer produce it.
    Parents are keyed by role; None means 'leave as it is', an empty dict is not used."""

    child: dict
    hardships: list[str] | None = None
    # The evidence typed for each hardship kind ({"evidence": 低保证, "evidenced_on": date}); the import has none.
    hardship_evidence: dict[str, dict] = field(default_factory=dict)
    parents: dict[str, dict] = field(default_factory=dict)
    grandparents: dict[str, dict] = field(default_factory=dict)
    guardian: dict | None = None
    guardian_change_reason: str = ""
    assessment: dict | None = None


def find_duplicate(*, school: School, data: dict, exclude_pk: int | None = None) -> Child | None:
    """The child already on a school's roll with the same ID number (in any school), or the same name and
    birth date in this school. Records that ended (转出, 毕业) do not count: a child may come back."""
    candidates = Child.objects.enrolled()
    if exclude_pk:
        candidates = candidates.exclude(pk=exclude_pk)
    if data.get("id_number"):
        match = candidates.filter(id_number=data["id_number"]).first()
        if match:
            return match
    return candidates.filter(school=school, name=data["name"], birth_date=data["birth_date"]).first()


def duplicate_error(existing: Child, user) -> ValidationError:
    if children_visible_to(user).filter(pk=existing.pk).exists():
        message = format_html(
            '该学生已建档，不能重复录入：<a href="{}">{}（{}）</a>',
            reverse("children:detail", args=[existing.pk]),
            existing.name,
            existing.school_class,
        )
    else:
        message = "该学生（相同身份证号，或同校同名同出生日期）已在系统中建档，不能重复录入。请联系学校关爱工作负责人。"
    return ValidationError(message, code="duplicate")


class StaleArchive(ValidationError):
    """The archive was saved by someone else after the edit page was opened (its version moved on)."""

    def __init__(self, *, version: int):
        super().__init__("该档案在您打开页面后已被他人保存。", code="stale")
        self.version = version


def _bump_version(child: Child, *, expected: int | None = None) -> None:
    """Raise the child's version by one in one UPDATE (atomic on SQLite and PostgreSQL alike); with
    `expected`, only if the stored version is still the one the caller's page showed, StaleArchive
    otherwise. The new version is set on `child` for the save that follows, whose history row marks it."""
    rows = Child.objects.filter(pk=child.pk)
    if expected is not None and not rows.filter(version=expected).update(version=F("version") + 1):
        raise StaleArchive(version=rows.values_list("version", flat=True).get())
    if expected is None:
        rows.update(version=F("version") + 1)
    child.version = rows.values_list("version", flat=True).get() if expected is None else expected + 1


def _user(acting_user):
    """The user to store as creator or in history rows: none for a command-line run without --user."""
    return acting_user if getattr(acting_user, "is_authenticated", False) else None


def _apply_child_values(child: Child, values: dict, *, on: date) -> list[str]:
    """Copy cleaned values onto the child with the fields derived from them; returns the names that changed.
    A status of 转出/毕业 dates the leaving (left_on = `on`, kept if already dated); back to 在读/休学, the
    record is on the roll again and the date goes."""
    changed = list(values) if child.pk is None else [k for k, v in values.items() if getattr(child, k) != v]
    for key, value in values.items():
        setattr(child, key, value)
    if not child.id_number:
        child.id_number = None
    child.name_initials = name_initials(child.name)
    left_on = None if child.status in ACTIVE_STATUSES else (child.left_on or on)
    if left_on != child.left_on:
        child.left_on = left_on
        changed.append("left_on")
    return changed


@dataclass
class _NewArchive:
    child: Child
    parents: list[Parent]
    grandparents: list[Grandparent]
    guardian: Guardian | None
    assessment: FamilyAssessment | None
    hardships: list[ChildHardship]


def _new_guardian(child: Child, values: dict, *, on: date) -> Guardian:
    """A guardian taking over from `on`, unless the values say since when."""
    values = dict(values)
    return Guardian(child=child, since=values.pop("since", None) or on, **values)


def _new_archive(*, school: School, data: ArchiveData, acting_user, on: date) -> _NewArchive:
    """The unsaved rows of a new child's archive, whichever path saves them: the guardian from `on`
    and the assessment dated `on` unless the data say otherwise."""
    # On the roll from the day the archive is made: earlier terms' figures do not change when it is added.
    child = Child(school=school, created_by=_user(acting_user), joined_on=on)
    _apply_child_values(child, data.child, on=on)
    return _NewArchive(
        child=child,
        parents=[Parent(child=child, role=role, **values) for role, values in data.parents.items()],
        grandparents=[Grandparent(child=child, role=role, **values) for role, values in data.grandparents.items()],
        guardian=_new_guardian(child, data.guardian, on=on) if data.guardian is not None else None,
        assessment=FamilyAssessment(child=child, **{"assessed_on": on, **data.assessment})
        if data.assessment is not None
        else None,
        hardships=[
            new_hardship(child=child, kind=kind, evidence=data.hardship_evidence.get(kind, {}), on=on)
            for kind in sorted(set(data.hardships or ()))
        ],
    )


def _classify_new(archive: _NewArchive, *, school: School, on: date) -> LeftBehindType:
    """A new archive's 留守类型 from its unsaved parents."""
    return classify_left_behind(
        parents=archive.parents,
        birth_date=archive.child.birth_date,
        on=on,
        counts_one_parent_away=school.counts_one_parent_away,
    )


def _new_period(child: Child, kind: LeftBehindType, *, on: date, reason: str) -> LeftBehindPeriod:
    return LeftBehindPeriod(child=child, kind=kind, start_date=on, reason=reason[:200])


@transaction.atomic
def save_archive(
    *,
    school: School,
    data: ArchiveData,
    acting_user,
    child: Child | None = None,
    on: date | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> Child:
    """Create or update a child with parents, guardian, hardships and assessment, then recompute the
    留守类型, with one audit row. Raises ValidationError (nothing saved) for a duplicate child or invalid
    data. With `reason` (an import's file), the history rows written name it and the acting user.
    An update raises the child's version; with `expected_version` (the version the edit page showed) it
    raises StaleArchive, saving nothing, if someone else saved the archive since."""
    on = on or timezone.localdate()
    started = timezone.now()
    if child is None:
        child = _create_archive(school=school, data=data, acting_user=acting_user, on=on)
        action = AuditAction.CREATE
    else:
        _update_archive(
            school=school, data=data, acting_user=acting_user, child=child, on=on, expected_version=expected_version
        )
        action = AuditAction.CHANGE
    if reason:
        _stamp_history([child.pk], since=started, user=acting_user, reason=reason)
    audit.record(
        user=acting_user, action=action, target=f"学生档案 {child.name}", school=school, child=child.pk, reason=reason
    )
    return child


def _check_duplicate(child: Child, *, school: School, acting_user) -> None:
    existing = find_duplicate(
        school=school,
        data={"id_number": child.id_number, "name": child.name, "birth_date": child.birth_date},
        exclude_pk=child.pk,
    )
    if existing is not None:
        raise duplicate_error(existing, acting_user)


def _create_archive(*, school: School, data: ArchiveData, acting_user, on: date) -> Child:
    new = _new_archive(school=school, data=data, acting_user=acting_user, on=on)
    child = new.child
    _check_duplicate(child, school=school, acting_user=acting_user)
    child.full_clean(exclude=["school", "created_by"], validate_unique=False)
    child.left_behind_type = _classify_new(new, school=school, on=on)
    child.save()
    for row in [*new.parents, *new.grandparents, new.guardian, new.assessment]:
        if row is not None:
            row.full_clean(exclude=["child"], validate_unique=False)
            row.save()
    ChildHardship.objects.bulk_create(new.hardships)
    # Classified before it was saved; its first 留守 and 事实无人抚养 periods start today.
    reclassify_child(child=child, on=on, reason=NEW_ARCHIVE_PERIOD_REASON)
    return child


def _update_archive(
    *, school: School, data: ArchiveData, acting_user, child: Child, on: date, expected_version: int | None
) -> Child:
    # Compare with the row as stored now (the form may have copied its values onto the instance the
    # view holds), and lock it so two saves of one archive run one after the other.
    child = Child.objects.select_for_update().select_related("school").get(pk=child.pk)
    _bump_version(child, expected=expected_version)
    status_before, left_before = child.status, child.left_on
    changed_fields = _apply_child_values(child, data.child, on=on)
    _check_duplicate(child, school=school, acting_user=acting_user)
    child.full_clean(exclude=["school", "created_by"], validate_unique=False)
    # Saved even when only the family changed: the history row with the new version is where this write
    # starts, which the edit page reads to tell a user what a colleague changed.
    child.save(update_fields=[*changed_fields, "name_initials", "updated_at", "version"])

    if data.hardships is not None:
        set_hardships(child=child, kinds=data.hardships, evidence=data.hardship_evidence, on=on, end_reason="档案更新")
    for role, parent_data in data.parents.items():
        _save_parent(child, role, parent_data)
    for role, values in data.grandparents.items():
        _save_row(
            Grandparent.objects.filter(child=child, role=role).first() or Grandparent(child=child, role=role), values
        )
    if data.guardian is not None:
        _save_guardian(child, data.guardian, reason=data.guardian_change_reason, on=on)
    if data.assessment is not None:
        _save_assessment(child, data.assessment)
    reclassify_child(child=child, on=on, reason="档案更新", end_reason="档案更新")
    _announce_roll_change(child, status_before=status_before, left_before=left_before, on=on, acting_user=acting_user)
    return child


def _announce_roll_change(child: Child, *, status_before: str, left_before: date | None, on: date, acting_user) -> None:
    """Tell the apps above that the child left the roll (their pairings end), or that a leaving recorded on
    this same day was corrected (what ended with it reopens). A return on a later day is a new start."""
    if status_before in ACTIVE_STATUSES and child.status not in ACTIVE_STATUSES:
        children_left(children=[child], on=on, reason=LEAVING_REASONS[child.status], acting_user=acting_user)
    elif status_before not in ACTIVE_STATUSES and child.status in ACTIVE_STATUSES and left_before == on:
        children_returned(children=[child], on=on, reason=LEAVING_REASONS[status_before], acting_user=acting_user)


@transaction.atomic
def create_archives(
    *, school: School, archives: Sequence[ArchiveData], acting_user, reason: str, on: date
) -> list[Child]:
    """New children in bulk, with one audit row: the same rows save_archive() writes for a new child
    (built by the same function), with history rows naming the user and `reason`, in a fixed number of
    queries. Matching against existing children is the caller's (the importer's) job; each child is
    checked field by field, parents and guardians hold what the caller's parsers produced."""
    if not archives:
        return []
    new = [_new_archive(school=school, data=data, acting_user=acting_user, on=on) for data in archives]
    periods = []
    for archive in new:
        child = archive.child
        child.clean_fields(exclude=_BULK_UNCHECKED)
        # Classified from the parents before it is saved, as _create_archive() does for one child.
        child.left_behind_type = _classify_new(archive, school=school, on=on)
    children = [a.child for a in new]
    # caretrack.bulk: the same INSERTs as bulk_create_with_history, several times faster (see there).
    user, now = _user(acting_user), timezone.now()
    bulk.insert(Child, children)
    bulk.insert_history(Child, children, user=user, reason=reason, when=now)
    for archive in new:
        for row in [*archive.parents, *archive.grandparents, archive.guardian, archive.assessment, *archive.hardships]:
            if row is not None:
                row.child_id = archive.child.pk  # the child has its primary key now
        if archive.child.left_behind_type != LeftBehindType.NOT_LEFT_BEHIND:
            periods.append(
                _new_period(archive.child, archive.child.left_behind_type, on=on, reason=NEW_ARCHIVE_PERIOD_REASON)
            )
    for model, rows in (
        (Parent, [p for a in new for p in a.parents]),
        (Grandparent, [g for a in new for g in a.grandparents]),
        (Guardian, [a.guardian for a in new if a.guardian is not None]),
        (FamilyAssessment, [a.assessment for a in new if a.assessment is not None]),
    ):
        bulk.insert(model, rows)
        bulk.insert_history(model, rows, user=user, reason=reason, when=now)
    bulk.insert(ChildHardship, [h for a in new for h in a.hardships])
    bulk.insert(LeftBehindPeriod, periods)
    new_unsupported_periods([(a.child, a.parents) for a in new], on=on, reason=NEW_ARCHIVE_PERIOD_REASON)
    audit.record(
        user=acting_user,
        action=AuditAction.CREATE,
        target=f"学生档案 {len(children)} 人（{reason}）",
        school=school,
        reason=reason,
        children=len(children),
    )
    return children


@transaction.atomic
def update_child_fields(
    *, school: School, updates: Sequence[tuple[Child, dict]], acting_user, reason: str, on: date
) -> list[Child]:
    """The child's own fields of many archives (a new class after the summer, a new address) saved in
    bulk, with history rows naming the user and `reason` and one audit row. A child whose 留守类型 the
    change would alter (one turning 16) is not saved but returned: save_archive() keeps its periods.
    Children prefetched with `parent_list` save a query each."""
    now = timezone.now()
    saved: list[Child] = []
    refused: list[Child] = []
    leaving: dict[str, list[Child]] = {}
    fields: set[str] = set()
    for child, values in updates:
        parents = child.parent_list if hasattr(child, "parent_list") else list(child.parents.all())
        kind = classify_left_behind(
            parents=parents,
            birth_date=values.get("birth_date", child.birth_date),
            on=on,
            counts_one_parent_away=school.counts_one_parent_away,
        )
        if kind != child.left_behind_type:
            refused.append(child)
            continue
        was_active = child.status in ACTIVE_STATUSES
        changed = _apply_child_values(child, values, on=on)
        if not changed:
            continue
        if was_active and child.status not in ACTIVE_STATUSES:
            leaving.setdefault(child.status, []).append(child)
        child.updated_at = now
        child.clean_fields(exclude=_BULK_UNCHECKED)
        fields.update(changed)
        saved.append(child)
    if saved:
        # The versions are raised in the database (a concurrent save's raise is not lost), then read back
        # for the history rows.
        ids = [child.pk for child in saved]
        versions: dict[int, int] = {}
        for start in range(0, len(ids), _BATCH):
            batch = Child.objects.filter(pk__in=ids[start : start + _BATCH])
            batch.update(version=F("version") + 1)
            versions.update(batch.values_list("pk", "version"))
        for child in saved:
            child.version = versions[child.pk]
        bulk_update_with_history(
            saved,
            Child,
            sorted(fields | {"name_initials", "updated_at"}),
            batch_size=_BATCH,
            default_user=_user(acting_user),
            default_change_reason=reason,
        )
        audit.record(
            user=acting_user,
            action=AuditAction.CHANGE,
            target=f"学生档案 {len(saved)} 人（{reason}）",
            school=school,
            reason=reason,
            children=len(saved),
            fields=sorted(fields),
        )
    for status, children in leaving.items():
        children_left(children=children, on=on, reason=LEAVING_REASONS[status], acting_user=acting_user)
    return refused


def save_children_rows(*, children: Sequence[Child], fields: list[str], history_user, reason: str) -> None:
    """Save `fields` of many children (already set on them) in bulk, with their versions raised and history
    rows naming `history_user` and `reason`. Not a service of its own: the caller's transaction and audit row
    cover it (升年级, its undo)."""
    if not children:
        return
    ids = [child.pk for child in children]
    versions: dict[int, int] = {}
    for start in range(0, len(ids), _BATCH):
        batch = Child.objects.filter(pk__in=ids[start : start + _BATCH])
        batch.update(version=F("version") + 1)
        versions.update(batch.values_list("pk", "version"))
    now = timezone.now()
    for child in children:
        child.version, child.updated_at = versions[child.pk], now
    bulk_update_with_history(
        list(children),
        Child,
        sorted({*fields, "version", "updated_at"}),
        batch_size=_BATCH,
        default_user=_user(history_user),
        default_change_reason=reason,
    )


def _stamp_history(child_ids: list[int], *, since: datetime, user, reason: str) -> None:
    """Mark the history rows just written with the acting user and the reason (a command-line import has
    no request for simple_history to read the user from)."""
    user_id = user.pk if getattr(user, "is_authenticated", False) else None
    for start in range(0, len(child_ids), _BATCH):
        ids = child_ids[start : start + _BATCH]
        Child.history.filter(id__in=ids, history_date__gte=since).update(
            history_user_id=user_id, history_change_reason=reason
        )
        for model in (Parent, Grandparent, Guardian, FamilyAssessment):
            model.history.filter(child_id__in=ids, history_date__gte=since).update(
                history_user_id=user_id, history_change_reason=reason
            )


def _save_parent(child: Child, role: str, values: dict) -> Parent:
    parent = Parent.objects.filter(child=child, role=role).first() or Parent(child=child, role=role)
    return _save_row(parent, values)


def _save_row(row, values: dict):
    """Validate and save one archive row, writing only the fields that changed (a colleague's edit of
    another field is not overwritten)."""
    changed = [k for k, v in values.items() if getattr(row, k) != v]
    for key, value in values.items():
        setattr(row, key, value)
    row.full_clean(exclude=["child"], validate_unique=False)
    if row.pk is None:
        row.save()
    elif changed:
        row.save(update_fields=changed)
    return row


def _save_guardian(child: Child, values: dict, *, reason: str, on: date) -> Guardian:
    """Update the current guardian, or — when a different person takes over — end the current one with
    the date and reason and start the new one, so the change stays in the archive."""
    current = child.guardians.filter(until__isnull=True).first()
    if current is not None and values.get("name") and values["name"] != current.name:
        if not reason:
            raise ValidationError({"guardian_change_reason": "更换委托监护人时请填写变更原因。"})
        current.until = max(on - timedelta(days=1), current.since)
        current.change_reason = reason[:200]
        current.save(update_fields=["until", "change_reason"])
        current = None
    if current is None:
        current = _new_guardian(child, values, on=on)
    values.pop("since", None)
    _save_row(current, values)
    return current


def _save_assessment(child: Child, values: dict) -> FamilyAssessment:
    assessment = FamilyAssessment.objects.filter(child=child).first() or FamilyAssessment(child=child)
    return _save_row(assessment, values)


@transaction.atomic
def update_parent_status(*, child: Child, role: str, values: dict, on: date, reason: str, acting_user) -> Child:
    """Record a change in one parent's situation (e.g. came home on a date) and reclassify from that date.
    Terms already past keep their figures because the earlier period stays."""
    _bump_version(child)
    child.save(update_fields=["version", "updated_at"])
    _save_parent(child, role, values)
    reclassify_child(child=child, on=on, reason=reason, end_reason=reason)
    audit.record(
        user=acting_user,
        action=AuditAction.CHANGE,
        target=f"{child.name}的{ParentRole(role).label}情况",
        school=child.school,
        child=child.pk,
        role=role,
        on=on.isoformat(),
        reason=reason,
    )
    return child
