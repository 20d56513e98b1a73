"""Matching the rows of a sheet against the children already in the archive (身份证号, else name + birth
date in the school), spotting duplicates within the file, and deciding create / update / unchanged / error."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch

from caretrack.models import School
from caretrack.validation import mask_id_number, mask_phone
from children.importing.columns import _PARENT_LABEL
from children.importing.parsers import masked_error
from children.importing.rows import Action, RowResult, _read_guardian
from children.models import Child, ChildHardship, FamilyAssessment, Guardian, Parent
from children.services import ArchiveData
from guardians.models import Region

# The duplicate rule stays (one archive per child in the county), but the answer names no school: an
# upload must not tell a principal where a number is registered. How often a person may see this answer
# is capped, and each preview that gets it is audited (children/importing/lookups.py).
REGISTERED_ELSEWHERE = "该身份证号已在本县登记，请联系县教育局核实"


_KEYS = ("pk", "id_number", "school_id", "name", "birth_date")


def resolve_rows(*, school: School, parsed: list) -> tuple[list[RowResult], int]:
    """Match rows to existing children (two queries), spot duplicates within the file, and decide
    create / update / unchanged / error. Also returns how many rows carry an ID number archived at
    another school."""
    ids = {child["id_number"] for _, child, *_ in parsed if child.get("id_number")}
    names = {child["name"] for _, child, *_ in parsed if child.get("name")}
    # What matching needs of each candidate, as named tuples: loading 5,000 whole children twice cost more
    # than the rest of the matching.
    by_id: dict[str, tuple] = {}
    numbers = sorted(ids)
    for start in range(0, len(numbers), 500):
        found = Child.objects.filter(id_number__in=numbers[start : start + 500]).values_list(*_KEYS, named=True)
        by_id.update({c.id_number: c for c in found})
    same_school = (
        list(Child.objects.filter(school=school, name__in=names).values_list(*_KEYS, named=True)) if names else []
    )
    by_name_birth = {(c.name, c.birth_date): c for c in same_school}
    by_name_month: dict[tuple, list[Child]] = {}
    for c in same_school:
        by_name_month.setdefault((c.name, c.birth_date.year, c.birth_date.month), []).append(c)

    matches: dict[int, Child] = {}
    elsewhere = 0
    seen_ids: dict[str, str] = {}
    seen_names: dict[tuple, str] = {}
    for index, (reader, child, _hardships, _parents, meta) in enumerate(parsed):
        number = child.get("id_number")
        if number:
            if number in seen_ids:
                reader.error("id_number", f"与{seen_ids[number]}的身份证号重复")
            seen_ids.setdefault(number, reader.where)
        key = (child.get("name"), child.get("birth_date"))
        if all(key):
            if key in seen_names:
                reader.error("name", f"与{seen_names[key]}同名且出生日期相同，是否重复录入？")
            seen_names.setdefault(key, reader.where)
        found = by_id.get(number) if number else None
        by_name = by_name_birth.get(key) if all(key) else None
        if by_name is None and meta.get("month_only") and all(key):
            candidates = by_name_month.get((key[0], key[1].year, key[1].month), [])
            if len(candidates) == 1:
                by_name = candidates[0]
                child["birth_date"] = by_name.birth_date  # the archive has the day; the sheet only the month
        if found is not None and found.school_id != school.pk:
            reader.error("id_number", REGISTERED_ELSEWHERE)
            elsewhere += 1
            continue
        if found is not None and by_name is not None and found.pk != by_name.pk:
            reader.error("id_number", "身份证号与本校另一名同名、同出生日期的学生不一致，请核对")
            continue
        if found is None and by_name is not None and by_name.id_number and number and by_name.id_number != number:
            reader.error("id_number", "本校已有同名、同出生日期的学生，但身份证号不同，请核对")
            continue
        match = found or by_name
        if match is not None:
            matches[index] = match

    existing = _matched_archives([c.pk for c in matches.values()])
    results: list[RowResult] = []
    to_update: dict[int, RowResult] = {}
    for index, (reader, child, hardships, parents, meta) in enumerate(parsed):
        match = existing.get(matches[index].pk) if index in matches else None
        current_guardian = match.guardian if match is not None else None
        guardian = _read_guardian(reader, current_guardian["name"] if current_guardian else None)
        _check_masked(reader, match, guardian, current_guardian)
        result = RowResult(
            row=reader.row,
            name=child.get("name", ""),
            class_label=meta.get("class_label", ""),
            sheet=reader.sheet,
            cells=reader.cells,
            names=reader.names,
        )
        result.errors = reader.errors
        if reader.errors:
            result.action = Action.ERROR
            results.append(result)
            continue
        level = meta.get("level")
        data = ArchiveData(
            child=child,
            hardships=hardships,
            parents=parents,
            guardian=guardian,
            guardian_change_reason="",
            assessment={"guardianship_level": level} if level else None,
        )
        result.data = data
        if match is None:
            result.action = Action.CREATE  # a new assessment is dated the day of the import (services)
        else:
            result.changes = _changes(match, data, current_guardian)
            result.action = Action.UPDATE if result.changes else Action.UNCHANGED
            if result.changes:
                to_update[match.child["id"]] = result
        results.append(result)
    # The archives a commit will change, as instances with their parents (update_child_fields classifies
    # from them): usually a few rows of a re-import, so the unchanged ones are never built as models.
    if to_update:
        for found in Child.objects.filter(pk__in=list(to_update)).order_by().prefetch_related(
            Prefetch("parents", queryset=Parent.objects.order_by(), to_attr="parent_list")
        ):
            to_update[found.pk].existing = found
    return results, elsewhere


@dataclass
class _Stored:
    """What the comparison needs of a matched archive, as plain values (attribute names as keys)."""

    child: dict
    parents: dict[str, dict] = field(default_factory=dict)  # by role
    guardian: dict | None = None  # the current one
    hardship_kinds: set[str] = field(default_factory=set)
    guardianship_level: str | None = None


def _matched_archives(ids: list[int]) -> dict[int, _Stored]:
    """The matched children with their parents, current guardian, 困境类型 and 监护类型, in five queries of
    plain values: building 20,000 model instances for an unchanged re-import cost more than the rest of it."""
    stored = {row["id"]: _Stored(child=row) for row in Child.objects.filter(pk__in=ids).order_by().values()}
    for row in Parent.objects.filter(child_id__in=ids).order_by().values():
        stored[row["child_id"]].parents[row["role"]] = row
    for row in Guardian.objects.filter(child_id__in=ids, until__isnull=True).order_by("child_id", "-since").values():
        archive = stored[row["child_id"]]
        if archive.guardian is None:  # the latest
            archive.guardian = row
    for child_id, kind in ChildHardship.objects.filter(child_id__in=ids).values_list("child_id", "kind"):
        stored[child_id].hardship_kinds.add(kind)
    levels = FamilyAssessment.objects.filter(child_id__in=ids).values_list("child_id", "guardianship_level")
    for child_id, level in levels:
        stored[child_id].guardianship_level = level
    return stored


def _check_masked(reader, match: _Stored | None, guardian: dict | None, current_guardian: dict | None) -> None:
    """A masked cell (4312**********002X, 139****5678) is no change when the matched archive's value masks
    the same way; on a new child, or when it differs, it cannot be imported (the clear message)."""
    if not reader.masked:
        return
    parents = match.parents if match is not None else {}
    for key, text in reader.masked.items():
        current = ""
        if match is None:
            pass
        elif key == "id_number":
            current = match.child["id_number"] or ""
        elif key == "guardian_phone":
            same_person = current_guardian is not None and guardian is not None
            same_person = same_person and current_guardian["name"] == guardian["name"]
            current = current_guardian["phone"] if same_person else ""
        else:
            role, _, field = key.partition("_")
            parent = parents.get(role)
            current = parent.get(field) if parent is not None else ""
        is_phone = key.endswith("phone")
        masked = mask_phone(current) if is_phone else mask_id_number(current)
        if not current or _compact(masked) != _compact(text):
            reader.error(key, masked_error("电话" if is_phone else "身份证号").messages[0])


def _compact(text: str) -> str:
    return "".join(text.split()).upper()


CHILD_LABELS = {f.name: str(f.verbose_name) for f in Child._meta.get_fields() if hasattr(f, "verbose_name")}


def _changes(stored: _Stored, data: ArchiveData, guardian: dict | None) -> list[str]:
    """What an import would change in an existing archive, as labels for the preview."""
    child = stored.child
    changes = [
        CHILD_LABELS[k]
        for k, v in data.child.items()
        if (child["school_class_id"] != v.pk if k == "school_class" else child[k] != v)
    ]
    if data.hardships is not None and set(data.hardships) != stored.hardship_kinds:
        changes.append("困境类型")
    for role, values in data.parents.items():
        parent = stored.parents.get(role)
        label = _PARENT_LABEL[role]
        if parent is None:
            changes.append(label)
            continue
        for key, value in values.items():
            current = parent[key + "_id"] if key.startswith("work_") else parent[key]
            wanted = value.pk if isinstance(value, Region) else value
            if current != wanted:
                changes.append(f"{label}{Parent._meta.get_field(key).verbose_name}")
    if data.guardian is not None:
        if guardian is None or guardian["name"] != data.guardian["name"]:
            changes.append("委托监护人")
        else:
            for key, value in data.guardian.items():
                if guardian[key] != value:
                    changes.append(f"监护人{Guardian._meta.get_field(key).verbose_name}")
    if data.assessment is not None and stored.guardianship_level != data.assessment["guardianship_level"]:
        changes.append("监护类型")
    return changes
