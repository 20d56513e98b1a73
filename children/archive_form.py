"""The archive page's forms (child, father, mother, grandparents, guardian, assessment) validated together, so
one save covers the whole archive and an error anywhere saves nothing.

Two people may edit one archive at the same time (the class teacher and the coordinator), or one person
in two tabs. The page carries the archive's version (Child.version) and the save is refused when someone
saved in between (services.StaleArchive): the page then shows what the colleague changed, from the history
rows since that version, and keeps what the user typed. The values shown when the page was opened are
remembered too (snapshot(), in the session by version), so that saving again after such a refusal writes
only the fields this user changed and keeps the colleague's corrections of the others.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django import forms as django_forms
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils import timezone

from children.archive_sections import SECTIONS_BY_KEY
from children.forms import (
    ArchiveVersionForm,
    AssessmentForm,
    ChildForm,
    GrandparentForm,
    GuardianForm,
    HardshipsForm,
    ParentForm,
)
from children.models import Child, FamilyAssessment, Grandparent, GrandparentRole, Guardian, Parent, ParentRole
from children.services import ArchiveData


@dataclass(frozen=True)
class ColleagueChange:
    section: str  # 学生基本信息, 父亲 …
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class Conflict:
    """Someone saved the archive after this page was opened: who, when, and what they changed."""

    who: list[str]
    when: datetime
    changes: list[ColleagueChange]


class ChildPartForm(ChildForm):
    """Some of the child's own fields (one section of the archive: 基本信息, 住址与就学 …)."""

    def __init__(self, *args, names, **kwargs):
        super().__init__(*args, **kwargs)
        for name in [n for n in self.fields if n not in names]:
            del self.fields[name]

    def archive_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields}


class GuardianFamilyForm(GuardianForm):
    """The guardian, who may be chosen from the grandparents already in the archive (同祖母): her name, the
    relation and her age are then taken from her record instead of being typed a second time."""

    from_family = django_forms.ChoiceField(
        label="从已填写的家庭成员中选择", required=False, widget=django_forms.RadioSelect
    )
    field_order = ["from_family"]

    def __init__(self, *args, family=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.family = {member.role: member for member in family}
        if self.family:
            self.fields["from_family"].choices = [(c["value"], c["label"]) for c in self.family_choices()]
        else:
            del self.fields["from_family"]

    def family_choices(self) -> list[dict]:
        """The choices with what choosing each fills in on the page (static/js/archive-sections.js)."""
        return [
            {"value": "", "label": "不选，在下面填写", "name": "", "relation": "", "age": ""},
            *(
                {"value": role, "label": f"{m.name}（{m.get_role_display()}）", **_member_values(m)}
                for role, m in self.family.items()
            ),
        ]

    def clean(self):
        member = self.family.get(self.cleaned_data.get("from_family") or "")
        if member is not None:
            values = _member_values(member)
            self.cleaned_data.update({"name": values["name"], "relation": values["relation"]})
            if self.cleaned_data.get("age") is None and values["age"]:
                self.cleaned_data["age"] = int(values["age"])
        return super().clean()


def _member_values(member: Grandparent) -> dict:
    # GuardianRelation names the four grandparents with GrandparentRole's own values.
    age = timezone.localdate().year - member.birth_year if member.birth_year else None
    return {"name": member.name, "relation": member.role, "age": str(age or "")}


class ArchiveForms:
    """The archive's forms; with `sections` (children.archive_sections keys) only those sections' forms
    take the posted data, are validated and saved, and the others are left as they are."""

    def __init__(self, data=None, *, classes, child=None, sections: list[str] | None = None):
        self.child = child
        prefixes = None if sections is None else {p for key in sections for p in SECTIONS_BY_KEY[key].prefixes}
        self.prefixes = prefixes

        def bound(prefix: str):
            return data if prefixes is None or prefix in prefixes else None

        parents = {p.role: p for p in child.parents.all()} if child else {}
        guardian = child.guardians.filter(until__isnull=True).first() if child else None
        assessment = FamilyAssessment.objects.filter(child=child).first() if child else None
        grandparents = {g.role: g for g in child.grandparents.all()} if child else {}
        if sections is None:
            self.child_form = ChildForm(data, instance=child, classes=classes, prefix="child")
        else:
            names = [name for key in sections for name in SECTIONS_BY_KEY[key].child_fields]
            self.child_form = ChildPartForm(
                bound("child"), instance=child, classes=classes, prefix="child", names=names
            )
        self.hardship_form = HardshipsForm(bound("hardship"), child=child, prefix="hardship")
        self.father_form = ParentForm(
            bound("father"),
            instance=parents.get(ParentRole.FATHER) or Parent(role=ParentRole.FATHER),
            prefix="father",
        )
        self.mother_form = ParentForm(
            bound("mother"),
            instance=parents.get(ParentRole.MOTHER) or Parent(role=ParentRole.MOTHER),
            prefix="mother",
        )
        self.grandparent_forms = [
            (
                role,
                GrandparentForm(bound(role), instance=grandparents.get(role) or Grandparent(role=role), prefix=role),
            )
            for role in GrandparentRole
        ]
        family = [g for g in grandparents.values() if g.name and g.is_alive]
        self.guardian_form = GuardianFamilyForm(bound("guardian"), instance=guardian, prefix="guardian", family=family)
        self.assessment_form = AssessmentForm(bound("assessment"), instance=assessment, prefix="assessment")
        if data is None and child is not None:
            data_version = {"version": child.version, "shown": child.version}
            self.version_form = ArchiveVersionForm(initial=data_version)
        else:
            self.version_form = ArchiveVersionForm(data)
        self.non_field_errors: list[str] = []
        self.conflict: Conflict | None = None

    @property
    def sections(self):
        """(heading, form) of the forms this page shows and saves."""
        child_label = "学生基本信息" if self.prefixes is None else ""
        every = [
            (child_label, self.child_form),
            ("困境儿童认定", self.hardship_form),
            ("父亲", self.father_form),
            ("母亲", self.mother_form),
            *[(f"祖辈：{role.label}", form) for role, form in self.grandparent_forms],
            ("委托监护人", self.guardian_form),
            ("家庭监护评估", self.assessment_form),
        ]
        return [(label, form) for label, form in every if self.prefixes is None or form.prefix in self.prefixes]

    def forms_with_errors(self) -> list:
        return [form for _, form in self.sections if form.is_bound and form.errors]

    def unchanged_from(self, stored: "ArchiveForms") -> bool:
        """Whether these (valid) forms hold exactly what `stored` (the archive as stored now) shows: a save
        would write nothing (a double tap, or 保存 without a change)."""
        now = stored.snapshot()
        return all(
            _normalized(form.cleaned_data.get(name)) == now[form.prefix][name]
            for _, form in self.sections
            for name in form.fields
        )

    def conflicting_fields(self, stored: "ArchiveForms", *, loaded: dict | None) -> list[str]:
        """Labels of the fields that this user and a colleague both changed since the page showed `loaded`,
        to different values: the one case in which a section's save must not go ahead. A colleague's change
        of a field this user left alone is kept (archive_data writes only this user's changes), and so is
        every other section. Without `loaded` (the session forgot it) any field stored differently counts."""
        now = stored.snapshot()
        labels = []
        for _, form in self.sections:
            before = (loaded or {}).get(form.prefix)
            for name in form.fields:
                typed, current = _normalized(form.cleaned_data.get(name)), now[form.prefix][name]
                if typed == current:
                    continue
                if before is None or (current != before.get(name) and typed != before.get(name)):
                    labels.append(str(form[name].label))
        return labels

    def is_valid(self) -> bool:
        # Validate every form (not short-circuit) so that all errors show at once.
        results = [form.is_valid() for _, form in self.sections if form.is_bound]
        if self.child is not None and not self.version_form.is_valid():
            self.non_field_errors.extend(dict.fromkeys(e for es in self.version_form.errors.values() for e in es))
            return False
        return all(results)

    @property
    def versions(self) -> tuple[int, int]:
        """(the version to check the save against, the version whose values the user edited from)."""
        return self.version_form.cleaned_data["version"], self.version_form.cleaned_data["shown"]

    def refuse_stale(self, conflict: Conflict, *, version: int) -> None:
        """Keep what the user typed, say what the colleague changed, and carry the colleague's version so
        that saving again (having seen the changes) is accepted."""
        self.conflict = conflict
        self.version_form = ArchiveVersionForm(initial={"version": version, "shown": self.versions[1]})

    def would_change(self, child: Child) -> bool:
        """Whether saving this (valid) form would change anything stored for `child` now; a form that was
        saved already (a double tap) would not."""
        data = self.archive_data()
        if _differs(child, data.child):
            return True
        if data.hardships is not None:
            stored = {h.kind: {"evidence": h.evidence, "evidenced_on": h.evidenced_on} for h in child.hardships.all()}
            if sorted(data.hardships) != sorted(stored) or any(
                stored[kind] != values for kind, values in data.hardship_evidence.items()
            ):
                return True
        for role, values in data.parents.items():
            if _differs(child.parents.filter(role=role).first(), values):
                return True
        for role, values in data.grandparents.items():
            if _differs(child.grandparents.filter(role=role).first(), values):
                return True
        if data.guardian is not None and _differs(child.guardians.filter(until__isnull=True).first(), data.guardian):
            return True
        assessment = FamilyAssessment.objects.filter(child=child).first()
        return data.assessment is not None and _differs(assessment, data.assessment)

    def snapshot(self) -> dict:
        """The values the edit page shows, as plain strings (kept in the session until the save)."""
        return {
            form.prefix: {name: _normalized(form.initial.get(name, form.fields[name].initial)) for name in form.fields}
            for _, form in self.sections
        }

    def archive_data(self, *, loaded: dict | None = None) -> ArchiveData:
        """The cleaned input; with `loaded` (the snapshot taken when the page was opened) only what this user
        changed since then."""
        loaded = loaded or {}

        def fields_of(form, *, whole: bool = False) -> dict | None:
            data = form.archive_fields()
            if whole or form.instance.pk is None or form.prefix not in loaded:
                return data
            changed = _changed_since(form, loaded[form.prefix])
            return {k: v for k, v in data.items() if k in changed}

        parents = {}
        for role, form in ((ParentRole.FATHER, self.father_form), (ParentRole.MOTHER, self.mother_form)):
            if form.is_bound and form.has_content() and (values := fields_of(form)):
                parents[role] = values
        grandparents = {}
        for role, form in self.grandparent_forms:
            if form.is_bound and form.has_content() and (values := fields_of(form)):
                grandparents[role.value] = values
        child_values = fields_of(self.child_form) if self.child_form.is_bound else {}
        hardships, hardship_evidence = None, {}
        form = self.hardship_form
        if form.is_bound and (form.prefix not in loaded or _changed_since(form, loaded[form.prefix])):
            hardships, hardship_evidence = form.kinds(), form.evidence()
        guardian, guardian_bound = None, self.guardian_form.is_bound
        if guardian_bound and self.guardian_form.has_content():
            # A different person is a new guardian: all of their fields, not only the changed ones.
            new_person = self.guardian_form.instance.pk and "name" in self.guardian_form.changed_data
            guardian = fields_of(self.guardian_form, whole=bool(new_person)) or None
        assessment = None
        if self.assessment_form.is_bound and self.assessment_form.has_content() and fields_of(self.assessment_form):
            assessment = self.assessment_form.archive_fields()  # one judgement: saved as a whole
        return ArchiveData(
            child=child_values,
            hardships=hardships,
            hardship_evidence=hardship_evidence,
            parents=parents,
            grandparents=grandparents,
            guardian=guardian,
            guardian_change_reason=self.guardian_form.cleaned_data.get("change_reason", "") if guardian_bound else "",
            assessment=assessment,
        )

    def add_service_error(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for field, errors in error.message_dict.items():
                if field == "guardian_change_reason":
                    self.guardian_form.add_error("change_reason", errors)
                elif field in self.child_form.fields:
                    self.child_form.add_error(field, errors)
                else:
                    self.non_field_errors.extend(errors)
        else:
            self.non_field_errors.extend(error.messages)


def _normalized(value) -> str | list[str]:
    """One plain form for a value as stored and as cleaned from the form, so both compare equal when the
    user did not touch the field (a phone typed as 139-1234-5678 is cleaned to the stored 13912345678)."""
    if isinstance(value, Model):
        return str(value.pk)
    if isinstance(value, (list, tuple, set)):
        return sorted(str(_normalized(v)) for v in value)
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _changed_since(form, loaded: dict) -> set[str]:
    """Names of the fields whose cleaned value differs from the value shown when the page was opened."""
    return {name for name in form.fields if _normalized(form.cleaned_data.get(name)) != loaded.get(name)}


def _differs(row, values: dict) -> bool:
    return row is None or any(_normalized(getattr(row, key)) != _normalized(value) for key, value in values.items())


def colleague_changes(child: Child, *, since_version: int) -> Conflict | None:
    """What was saved in `child`'s archive after `since_version`, read from the history rows: the child's
    rows with a later version, and the family's rows written from the first of them on. Field labels and
    values as the page shows them (a choice's label, 是/否); None when nothing was saved since."""
    rows = list(Child.history.filter(id=child.pk).select_related("history_user").order_by("history_date", "history_id"))
    later = [r for r in rows if r.version > since_version]
    if not later:
        return None
    start = later[0].history_date
    before = [r for r in rows if r.version <= since_version]
    changes = _row_changes("学生基本信息", ChildForm.Meta.fields, before[-1] if before else None, rows[-1])
    who = {_name(r.history_user): None for r in later}
    sources = [
        (Parent, ParentForm.Meta.fields, lambda r: r.get_role_display()),
        (Grandparent, GrandparentForm.Meta.fields, lambda r: f"祖辈：{r.get_role_display()}"),
        (Guardian, GuardianForm.Meta.fields, lambda r: "委托监护人"),
        (FamilyAssessment, AssessmentForm.Meta.fields, lambda r: "家庭监护评估"),
    ]
    for model, fields, section in sources:
        by_row: dict[int, list] = {}
        for record in (
            model.history.filter(child_id=child.pk)
            .select_related("history_user")
            .order_by("history_date", "history_id")
        ):
            by_row.setdefault(record.id, []).append(record)
        for records in by_row.values():
            changed = [r for r in records if r.history_date >= start]
            if not changed:
                continue
            earlier = [r for r in records if r.history_date < start]
            who.update({_name(r.history_user): None for r in changed})
            changes.extend(_row_changes(section(records[-1]), fields, earlier[-1] if earlier else None, records[-1]))
    return Conflict(who=list(who), when=later[-1].history_date, changes=changes)


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else "系统"


def _row_changes(section: str, names, before, after) -> list[ColleagueChange]:
    """The shown fields that differ between two history rows of one record (before None: it was added;
    after a deletion: it was removed)."""
    if after.history_type == "-":
        return [ColleagueChange(section, "（整条记录）", "有", "已删除")]
    model = after.instance_type
    out = []
    for name in names:
        field = model._meta.get_field(name)
        old = getattr(before, field.attname) if before is not None else None
        new = getattr(after, field.attname)
        if _normalized(old) != _normalized(new):
            out.append(ColleagueChange(section, str(field.verbose_name), _shown(field, old), _shown(field, new)))
    return out


def _shown(field, value) -> str:
    if value in (None, "", []):
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if field.is_relation:
        related = field.related_model._default_manager.filter(pk=value).first()
        return getattr(related, "name", None) or str(related or value)
    choices = dict(field.flatchoices)
    if isinstance(value, list):
        base = getattr(field, "base_field", None)
        labels = dict(base.flatchoices) if base is not None else {}
        return "、".join(str(labels.get(v, v)) for v in value)
    if isinstance(value, date):
        return value.isoformat()
    return str(choices.get(value, value))
