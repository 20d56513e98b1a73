"""Operations on concern cases (关注事项 handled as cases): raising one, assigning who is responsible,
changing its risk, follow-up actions, referrals, closing and reopening. Each runs in one transaction with
its audit row; the audit detail names ids only, never a child's name or what was written about them.
A case's row is locked first, so a double submit finds the first one's work and creates nothing twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from caretrack import audit
from caretrack.models import AuditAction, School
from caretrack.names import child_alias
from caretrack.notifications import Message, send
from caretrack.selectors import active_staff
from children.models import Child
from mentoring.models import (
    OPEN_STATUSES,
    RISK_RANK,
    CaseAction,
    Concern,
    ConcernCategory,
    ConcernRisk,
    ConcernStatus,
    Referral,
    ReferralAgency,
    ReferralOutcome,
    default_risk,
)
from mentoring.permissions import concerns_visible_to, may_lower_risk


@dataclass(frozen=True)
class ConcernData:
    category: str
    description: str = ""
    risk: str = ""  # empty: the category's default (紧急 for 心理危机, 疑似受侵害, 自伤)


def _target(record) -> str:
    return f"{record._meta.verbose_name} #{record.pk}"


def _audit(*, concern: Concern, acting_user, step: str, action=AuditAction.CHANGE, **detail) -> None:
    """The audit row of one step of a case; the target names the step (关注事项 #12 · 转介) so that the audit
    log reads as the case's history. Ids only: never the child's name or the text written."""
    audit.record(
        user=acting_user,
        action=action,
        target=f"{_target(concern)} · {step}",
        school=concern.child.school,
        model="concern",
        pk=concern.pk,
        **detail,
    )


def case_url(concern: Concern) -> str:
    return reverse("mentoring:case_detail", args=[concern.pk])


def case_staff(school: School) -> QuerySet:
    """Who may be made responsible for a case or given a follow-up action: the school's active staff (the
    principal, the coordinator, a 心理老师, the class teacher …)."""
    return User.objects.filter(profile__in=active_staff(school)).order_by("first_name", "pk")


def managers_to_alert(school: School) -> list:
    """The school's active coordinators and principals, who hear of every 紧急 case at once."""
    managers = active_staff(school).filter(is_coordinator=True) | active_staff(school).filter(is_principal=True)
    return list(User.objects.filter(profile__in=managers).order_by("pk"))


def _default_assignee(school: School):
    profile = active_staff(school).filter(is_coordinator=True).select_related("user").order_by("pk").first()
    return profile.user if profile else None


def allowed_risks(*, category: str, user) -> list[str]:
    """The risk levels the user may give a case of this category: any for the coordinator or the principal,
    otherwise the category's default or higher."""
    if may_lower_risk(user):
        return list(ConcernRisk.values)
    floor = RISK_RANK[default_risk(category)]
    return [risk for risk in ConcernRisk.values if RISK_RANK[risk] <= floor]


def _check_risk(*, category: str, risk: str, acting_user) -> None:
    if risk not in ConcernRisk.values:
        raise ValidationError({"risk": "请选择风险等级。"})
    if risk not in allowed_risks(category=category, user=acting_user):
        label, floor_label = ConcernCategory(category).label, ConcernRisk(default_risk(category)).label
        raise ValidationError({"risk": f"“{label}”默认为{floor_label}，只有关爱工作负责人或校长可以降低。"})


def _lock(concern: Concern, *, open_only: bool = True) -> None:
    """Lock the case's row and read its current status into `concern` (a second tap waits here, then
    sees what the first one did)."""
    concern.status = Concern.objects.select_for_update().values_list("status", flat=True).get(pk=concern.pk)
    if open_only and concern.status == ConcernStatus.CLOSED:
        raise ValidationError("该个案已结案。如需继续处理，请先重新打开。", code="closed")


def _start_work(concern: Concern, fields: list[str]) -> None:
    """The first step taken on a 新报告 moves it to 处理中."""
    if concern.status == ConcernStatus.NEW:
        concern.status = ConcernStatus.IN_PROGRESS
        fields.append("status")


def _alert_urgent(concern: Concern) -> None:
    child = concern.child
    where = f"（{child.school_class}）" if child.school_class_id else ""
    send(
        Message(
            key=f"case-new:{concern.pk}",
            recipients=tuple(managers_to_alert(child.school)),
            title=f"紧急关注：{child_alias(child.name)}{where}",
            body=f"{concern.get_category_display()}，请尽快处理。",
            link=case_url(concern),
            urgent=True,
            # The group may include staff who may not see a sensitive case: no category there.
            group_text=f"紧急关注：{child.school.name} {child_alias(child.name)}{where}，请负责老师尽快查看。",
        )
    )


@transaction.atomic
def raise_case(*, child: Child, data: ConcernData, day: date, acting_user) -> Concern:
    """Raise a case on a child (from a log). Its risk is the category's default unless the raiser chose a
    higher one (only the coordinator or the principal may choose a lower one); it is assigned to the
    school's first active coordinator. A 紧急 case alerts the school's coordinators and principals at once,
    naming the child only as 王同学 and the class."""
    risk = data.risk or default_risk(data.category)
    _check_risk(category=data.category, risk=risk, acting_user=acting_user)
    concern = Concern(
        child=child,
        category=data.category,
        description=data.description,
        risk=risk,
        raised_by=acting_user,
        raised_on=day,
        assigned_to=_default_assignee(child.school),
    )
    concern.full_clean()
    concern.save()
    _audit(
        concern=concern,
        acting_user=acting_user,
        step="提出",
        action=AuditAction.CREATE,
        child=child.pk,
        category=concern.category,
        risk=concern.risk,
        assigned_to=concern.assigned_to_id,
    )
    if concern.is_urgent:
        _alert_urgent(concern)
    return concern


@transaction.atomic
def assign_case(*, concern: Concern, assignee, acting_user) -> Concern:
    """Make a staff member of the school responsible for the case; they may then see and work it."""
    _lock(concern)
    if not case_staff(concern.child.school).filter(pk=assignee.pk).exists():
        raise ValidationError({"assignee": "负责人必须是本校在职教职工。"})
    if concern.assigned_to_id == assignee.pk:
        return concern
    concern.assigned_to = assignee
    fields = ["assigned_to"]
    _start_work(concern, fields)
    concern.save(update_fields=fields)
    _audit(concern=concern, acting_user=acting_user, step="指定负责人", fields=fields, assigned_to=assignee.pk)
    return concern


@transaction.atomic
def change_risk(*, concern: Concern, risk: str, acting_user) -> Concern:
    """Raise or lower the case's risk; below the category's default only the coordinator or the principal."""
    _lock(concern)
    _check_risk(category=concern.category, risk=risk, acting_user=acting_user)
    if concern.risk == risk:
        return concern
    previous, concern.risk = concern.risk, risk
    concern.save(update_fields=["risk"])
    _audit(
        concern=concern,
        acting_user=acting_user,
        step="调整风险等级",
        fields=["risk"],
        risk=risk,
        previous_risk=previous,
    )
    return concern


@transaction.atomic
def add_action(*, concern: Concern, what: str, who, due_on: date, note: str = "", acting_user) -> CaseAction:
    """A follow-up action on the case for a staff member who may see it (for a sensitive case: its author,
    its assignee, the coordinator or the principal). The same action submitted twice is saved once."""
    _lock(concern)
    what = what.strip()
    if not what:
        raise ValidationError({"what": "请填写跟进事项。"})
    if not case_staff(concern.child.school).filter(pk=who.pk).exists():
        raise ValidationError({"who": "执行人必须是本校在职教职工。"})
    if not concerns_visible_to(who).filter(pk=concern.pk).exists():
        raise ValidationError({"who": "该执行人无权查看此个案，请先将个案分配给他/她，或另选执行人。"})
    if CaseAction.objects.filter(concern=concern, what=what, who=who, due_on=due_on).exists():
        raise ValidationError("这条跟进事项已经添加过了，请勿重复提交。", code="duplicate")
    action = CaseAction(concern=concern, what=what, who=who, due_on=due_on, note=note.strip(), created_by=acting_user)
    action.full_clean()
    action.save()
    fields: list[str] = []
    _start_work(concern, fields)
    if fields:
        concern.save(update_fields=fields)
    _audit(
        concern=concern,
        acting_user=acting_user,
        step="添加跟进事项",
        case_action=action.pk,
        added=True,
        who=who.pk,
        fields=fields,
    )
    return action


@transaction.atomic
def mark_action_done(*, action: CaseAction, done_on: date, note: str = "", acting_user) -> CaseAction:
    """Mark a follow-up action done on a day (not in the future), with an optional note; once only."""
    _lock(action.concern)
    locked = CaseAction.objects.select_for_update().get(pk=action.pk)
    if locked.done_on is not None:
        raise ValidationError("该跟进事项已完成，请勿重复提交。", code="done")
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": "完成日期不能晚于今天。"})
    action.done_on = done_on
    fields = ["done_on"]
    if note.strip():
        action.note = f"{action.note}\n{note.strip()}".strip()
        fields.append("note")
    action.full_clean()
    action.save(update_fields=fields)
    _audit(concern=action.concern, acting_user=acting_user, step="完成跟进事项", case_action=action.pk, done=True)
    return action


@transaction.atomic
def add_referral(
    *, concern: Concern, agency: str, referred_on: date, contact_person: str = "", acting_user
) -> Referral:
    """Refer the case to an agency outside the school (村/社区儿童主任, 派出所 …); the case becomes 已转介.
    The same referral (agency and day) submitted twice is saved once."""
    _lock(concern)
    if agency not in ReferralAgency.values:
        raise ValidationError({"agency": "请选择转介机构。"})
    if referred_on > timezone.localdate():
        raise ValidationError({"referred_on": "转介日期不能晚于今天。"})
    if Referral.objects.filter(concern=concern, agency=agency, referred_on=referred_on).exists():
        raise ValidationError("这次转介已经登记过了，请勿重复提交。", code="duplicate")
    referral = Referral(
        concern=concern,
        agency=agency,
        referred_on=referred_on,
        contact_person=contact_person.strip(),
        created_by=acting_user,
    )
    referral.full_clean()
    referral.save()
    fields = []
    if concern.status != ConcernStatus.REFERRED:
        concern.status = ConcernStatus.REFERRED
        fields.append("status")
        concern.save(update_fields=fields)
    _audit(concern=concern, acting_user=acting_user, step="转介", referral=referral.pk, agency=agency, fields=fields)
    return referral


@transaction.atomic
def record_referral_outcome(*, referral: Referral, outcome: str, note: str = "", acting_user) -> Referral:
    """What came of a referral: accepted or declined by the agency (or still pending), with a note."""
    _lock(referral.concern)
    if outcome not in ReferralOutcome.values:
        raise ValidationError({"outcome": "请选择转介结果。"})
    referral.outcome = outcome
    referral.outcome_note = note.strip()
    referral.full_clean()
    referral.save(update_fields=["outcome", "outcome_note"])
    _audit(concern=referral.concern, acting_user=acting_user, step="转介结果", referral=referral.pk, outcome=outcome)
    return referral


@transaction.atomic
def close_case(*, concern: Concern, action_taken: str, acting_user) -> Concern:
    """结案: record the outcome (required) and close the case; a second submission is refused."""
    if not action_taken.strip():
        raise ValidationError({"action_taken": "请填写结案情况。"})
    _lock(concern)
    concern.status = ConcernStatus.CLOSED
    concern.action_taken = action_taken.strip()
    concern.closed_by = acting_user
    concern.closed_at = timezone.now()
    concern.full_clean()
    fields = ["status", "action_taken", "closed_by", "closed_at"]
    concern.save(update_fields=fields)
    _audit(concern=concern, acting_user=acting_user, step="结案", fields=fields)
    return concern


@transaction.atomic
def reopen_case(*, concern: Concern, reason: str, acting_user) -> Concern:
    """Reopen a closed case (back to 处理中) for a reason, kept on the case; the earlier outcome stays
    readable until the case is closed again."""
    if not reason.strip():
        raise ValidationError({"reason": "请填写重新打开的原因。"})
    _lock(concern, open_only=False)
    if concern.status in OPEN_STATUSES:
        raise ValidationError("该个案尚未结案，无需重新打开。", code="open")
    concern.status = ConcernStatus.IN_PROGRESS
    concern.closed_by = None
    concern.closed_at = None
    concern.reopen_reason = reason.strip()[:200]
    concern.reopened_at = timezone.now()
    fields = ["status", "closed_by", "closed_at", "reopen_reason", "reopened_at"]
    concern.full_clean()
    concern.save(update_fields=fields)
    _audit(concern=concern, acting_user=acting_user, step="重新打开", fields=fields, reopened=True)
    return concern
