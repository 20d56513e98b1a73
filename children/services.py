"""Operations that change a child's archive. Each runs in one transaction: the child, the parents, the
guardian, the 留守 classification and the history rows are saved together or not at all."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from pypinyin import Style, lazy_pinyin

from caretrack.models import School
from children.models import (
    AwayStatus,
    Child,
    ChildHardship,
    FamilyAssessment,
    Grandparent,
    Guardian,
    LeftBehindPeriod,
    LeftBehindType,
    Parent,
    ParentRole,
)

# Parents in these states cannot look after the child, whatever has_guardianship_capacity says.
_UNABLE_STATES = {AwayStatus.DECEASED, AwayStatus.IMPRISONED, AwayStatus.MISSING}
LEFT_BEHIND_AGE_LIMIT = 16  # 国发〔2016〕13号: 不满十六周岁


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


def reclassify_child(*, child: Child, on: date | None = None, reason: str = "") -> LeftBehindType:
    """Recompute the child's 留守类型 from the saved parents and keep the history of periods: when the
    type changes, the open period ends the day before `on` and a new one starts on `on`."""
    on = on or timezone.localdate()
    kind = classify_left_behind(
        parents=list(child.parents.all()),
        birth_date=child.birth_date,
        on=on,
        counts_one_parent_away=child.school.counts_one_parent_away,
    )
    open_period = child.left_behind_periods.filter(end_date__isnull=True).first()
    if open_period is None or open_period.kind != kind:
        if open_period is not None:
            if open_period.start_date >= on:
                # Changed again on the day it started: the short-lived period never really happened.
                open_period.delete()
            else:
                open_period.end_date = on - timedelta(days=1)
                open_period.save(update_fields=["end_date"])
        if kind != LeftBehindType.NOT_LEFT_BEHIND:
            LeftBehindPeriod.objects.create(child=child, kind=kind, start_date=on, reason=reason[:200])
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
    parents: dict[str, dict] = field(default_factory=dict)
    grandparents: dict[str, dict] = field(default_factory=dict)
    guardian: dict | None = None
    guardian_change_reason: str = ""
    assessment: dict | None = None


def find_duplicate(*, school: School, data: dict, exclude_pk: int | None = None) -> Child | None:
    """The child already in the archive with the same ID number (in any school), or the same name and
    birth date in this school."""
    candidates = Child.objects.exclude(pk=exclude_pk) if exclude_pk else Child.objects.all()
    if data.get("id_number"):
        match = candidates.filter(id_number=data["id_number"]).first()
        if match:
            return match
    return candidates.filter(school=school, name=data["name"], birth_date=data["birth_date"]).first()


def duplicate_error(existing: Child, user) -> ValidationError:
    from children.permissions import children_visible_to

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


@transaction.atomic
def save_archive(
    *, school: School, data: ArchiveData, acting_user, child: Child | None = None, on: date | None = None
) -> Child:
    """Create or update a child with parents, guardian, hardships and assessment, then recompute the
    留守类型. Raises ValidationError (nothing saved) for a duplicate child or invalid data."""
    on = on or timezone.localdate()
    if child is None:
        child = Child(school=school, created_by=acting_user)
        changed_fields = None
    else:
        # Compare with the row as stored now (the form may have copied its values onto the instance the
        # view holds), and lock it so two saves of one archive run one after the other.
        child = Child.objects.select_for_update().select_related("school").get(pk=child.pk)
        changed_fields = [k for k, v in data.child.items() if getattr(child, k) != v]
    for key, value in data.child.items():
        setattr(child, key, value)
    if not child.id_number:
        child.id_number = None
    existing = find_duplicate(
        school=school,
        data={"id_number": child.id_number, "name": child.name, "birth_date": child.birth_date},
        exclude_pk=child.pk,
    )
    if existing is not None:
        raise duplicate_error(existing, acting_user)
    child.name_initials = name_initials(child.name)
    child.full_clean(exclude=["school", "created_by"], validate_unique=False)
    if changed_fields is None:
        child.save()
    elif changed_fields:
        child.save(update_fields=[*changed_fields, "name_initials", "updated_at"])

    if data.hardships is not None:
        _set_hardships(child, data.hardships)
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
    reclassify_child(child=child, on=on, reason="档案更新")
    return child


def _set_hardships(child: Child, kinds: list[str]) -> None:
    current = set(child.hardships.values_list("kind", flat=True))
    wanted = set(kinds)
    child.hardships.filter(kind__in=current - wanted).delete()
    ChildHardship.objects.bulk_create([ChildHardship(child=child, kind=k) for k in sorted(wanted - current)])


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
        current = Guardian(child=child, since=values.pop("since", None) or on)
    else:
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
    _save_parent(child, role, values)
    reclassify_child(child=child, on=on, reason=reason)
    return child
