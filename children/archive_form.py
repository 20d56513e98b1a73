"""The archive page's forms (child, father, mother, grandparents, guardian, assessment) validated together, so
one save covers the whole archive and an error anywhere saves nothing.

Two people may edit one archive at the same time (the class teacher and the coordinator). When the edit
page is opened, the values shown are remembered (snapshot()); on save only the fields this user changed
against that snapshot are written, so a form opened before a colleague's save does not undo the colleague's
correction of another field.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Model

from children.forms import AssessmentForm, ChildForm, GrandparentForm, GuardianForm, ParentForm
from children.models import FamilyAssessment, Grandparent, GrandparentRole, Parent, ParentRole
from children.services import ArchiveData


class ArchiveForms:
    def __init__(self, data=None, *, classes, child=None):
        self.child = child
        parents = {p.role: p for p in child.parents.all()} if child else {}
        guardian = child.guardians.filter(until__isnull=True).first() if child else None
        assessment = FamilyAssessment.objects.filter(child=child).first() if child else None
        self.child_form = ChildForm(data, instance=child, classes=classes, prefix="child")
        self.father_form = ParentForm(
            data, instance=parents.get(ParentRole.FATHER) or Parent(role=ParentRole.FATHER), prefix="father"
        )
        self.mother_form = ParentForm(
            data, instance=parents.get(ParentRole.MOTHER) or Parent(role=ParentRole.MOTHER), prefix="mother"
        )
        grandparents = {g.role: g for g in child.grandparents.all()} if child else {}
        self.grandparent_forms = [
            (role, GrandparentForm(data, instance=grandparents.get(role) or Grandparent(role=role), prefix=role))
            for role in GrandparentRole
        ]
        self.guardian_form = GuardianForm(data, instance=guardian, prefix="guardian")
        self.assessment_form = AssessmentForm(data, instance=assessment, prefix="assessment")
        self.non_field_errors: list[str] = []

    @property
    def sections(self):
        return [
            ("学生基本信息", self.child_form),
            ("父亲", self.father_form),
            ("母亲", self.mother_form),
            *[(f"祖辈：{role.label}", form) for role, form in self.grandparent_forms],
            ("委托监护人", self.guardian_form),
            ("家庭监护评估", self.assessment_form),
        ]

    def is_valid(self) -> bool:
        # Validate every form (not short-circuit) so that all errors show at once.
        results = [form.is_valid() for _, form in self.sections]
        return all(results)

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
            if form.has_content() and (values := fields_of(form)):
                parents[role] = values
        grandparents = {}
        for role, form in self.grandparent_forms:
            if form.has_content() and (values := fields_of(form)):
                grandparents[role.value] = values
        child_values = fields_of(self.child_form)
        hardships = None
        if "hardships" not in loaded.get("child", {}) or "hardships" in _changed_since(
            self.child_form, loaded["child"]
        ):
            hardships = list(self.child_form.cleaned_data["hardships"])
        guardian = None
        if self.guardian_form.has_content():
            # A different person is a new guardian: all of their fields, not only the changed ones.
            new_person = self.guardian_form.instance.pk and "name" in self.guardian_form.changed_data
            guardian = fields_of(self.guardian_form, whole=bool(new_person)) or None
        assessment = None
        if self.assessment_form.has_content() and fields_of(self.assessment_form):
            assessment = self.assessment_form.archive_fields()  # one judgement: saved as a whole
        return ArchiveData(
            child=child_values,
            hardships=hardships,
            parents=parents,
            grandparents=grandparents,
            guardian=guardian,
            guardian_change_reason=self.guardian_form.cleaned_data.get("change_reason", ""),
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
