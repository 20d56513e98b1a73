"""The archive page's forms (child, father, mother, guardian, assessment) validated together, so one
save covers the whole archive and an error anywhere saves nothing."""

from django.core.exceptions import ValidationError

from children.forms import AssessmentForm, ChildForm, GrandparentForm, GuardianForm, ParentForm
from children.services import ArchiveData
from guardians.models import FamilyAssessment, Grandparent, GrandparentRole, Parent, ParentRole


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

    def archive_data(self) -> ArchiveData:
        parents = {}
        for role, form in ((ParentRole.FATHER, self.father_form), (ParentRole.MOTHER, self.mother_form)):
            if form.has_content():
                parents[role] = form.archive_fields()
        return ArchiveData(
            child=self.child_form.archive_fields(),
            hardships=list(self.child_form.cleaned_data["hardships"]),
            parents=parents,
            grandparents={
                role.value: form.archive_fields() for role, form in self.grandparent_forms if form.has_content()
            },
            guardian=self.guardian_form.archive_fields() if self.guardian_form.has_content() else None,
            guardian_change_reason=self.guardian_form.cleaned_data.get("change_reason", ""),
            assessment=self.assessment_form.archive_fields() if self.assessment_form.has_content() else None,
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
