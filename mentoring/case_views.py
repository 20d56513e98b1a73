"""The case pages: 待处理 (the school's open cases by risk and age), 我的个案, one case with its history,
and one POST endpoint per next step (assign, risk, follow-up action, done, referral, outcome, close, reopen).
Each step redirects back to the case page with a message in Chinese."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from caretrack.permissions import require_staff
from mentoring import case_services
from mentoring.case_forms import (
    ActionDoneForm,
    ActionForm,
    AssignForm,
    ReferralForm,
    ReferralOutcomeForm,
    ReopenForm,
    RiskForm,
)
from mentoring.forms import CloseConcernForm
from mentoring.permissions import (
    can_assign_case,
    can_mark_action_done,
    can_work_case,
    get_case_action_for_user,
    get_case_for_user,
    get_referral_for_user,
    require_case_assigner,
    require_concern_handler,
)
from mentoring.selectors import cases as case_selectors


def concern_list(request):
    """待处理: open cases, 紧急 first then by age (oldest first), overdue follow-ups marked; closed ones below."""
    require_concern_handler(request.user)
    today = timezone.localdate()
    found = case_selectors.case_list(request.user, on=today)
    context = {"open": found.open, "closed": found.closed, "week_ago": today - timezone.timedelta(days=7)}
    return render(request, "mentoring/concerns.html", context)


def my_cases(request):
    """我的个案: open cases assigned to me or holding a follow-up action of mine."""
    require_staff(request.user)
    today = timezone.localdate()
    context = {"open": case_selectors.my_cases(request.user, on=today), "week_ago": today - timezone.timedelta(days=7)}
    return render(request, "mentoring/case_mine.html", context)


def case_detail(request, pk):
    """One case: its child, category, risk, status, person responsible, actions and referrals, and the forms
    for the next steps the user may take."""
    concern = get_case_for_user(request.user, pk)
    today = timezone.localdate()
    case_selectors.case_detail(concern, on=today)
    staff = case_services.case_staff(concern.child.school)
    works = can_work_case(request.user, concern)
    context = {
        "case": concern,
        "can_work": works,
        "can_assign": can_assign_case(request.user, concern),
        "done_allowed": {a.pk for a in concern.actions.all() if can_mark_action_done(request.user, a)},
        "assign_form": AssignForm(staff=staff, initial={"assignee": concern.assigned_to_id}),
        "risk_form": RiskForm(
            initial={"risk": concern.risk},
            allowed=case_services.allowed_risks(category=concern.category, user=request.user),
        ),
        "action_form": ActionForm(staff=staff),
        "done_form": ActionDoneForm(),
        "referral_form": ReferralForm(),
        "outcome_form": ReferralOutcomeForm(),
        "close_form": CloseConcernForm(),
        "reopen_form": ReopenForm(),
    }
    return render(request, "mentoring/case_detail.html", context)


def _run(request, form, step, *, success: str, back: str):
    """Validate the step's form, call the service, and go back to the case with what happened."""
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect(back)
    try:
        step(form.cleaned_data)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, success)
    return redirect(back)


def _back(concern) -> str:
    return case_services.case_url(concern)


@require_POST
def case_assign(request, pk):
    concern = get_case_for_user(request.user, pk)
    require_case_assigner(request.user, concern)
    form = AssignForm(request.POST, staff=case_services.case_staff(concern.child.school))
    return _run(
        request,
        form,
        lambda d: case_services.assign_case(concern=concern, assignee=d["assignee"], acting_user=request.user),
        success="已更换个案负责人。",
        back=_back(concern),
    )


@require_POST
def case_risk(request, pk):
    concern = get_case_for_user(request.user, pk, work=True)
    return _run(
        request,
        RiskForm(request.POST),
        lambda d: case_services.change_risk(concern=concern, risk=d["risk"], acting_user=request.user),
        success="风险等级已更新。",
        back=_back(concern),
    )


@require_POST
def case_action_add(request, pk):
    concern = get_case_for_user(request.user, pk, work=True)
    form = ActionForm(request.POST, staff=case_services.case_staff(concern.child.school))
    return _run(
        request,
        form,
        lambda d: case_services.add_action(concern=concern, acting_user=request.user, **d),
        success="已添加跟进事项。",
        back=_back(concern),
    )


@require_POST
def case_action_done(request, pk):
    action = get_case_action_for_user(request.user, pk)
    return _run(
        request,
        ActionDoneForm(request.POST),
        lambda d: case_services.mark_action_done(action=action, acting_user=request.user, **d),
        success="跟进事项已标记完成。",
        back=_back(action.concern),
    )


@require_POST
def case_referral_add(request, pk):
    concern = get_case_for_user(request.user, pk, work=True)
    return _run(
        request,
        ReferralForm(request.POST),
        lambda d: case_services.add_referral(concern=concern, acting_user=request.user, **d),
        success="已登记转介，个案状态为“已转介”。",
        back=_back(concern),
    )


@require_POST
def case_referral_outcome(request, pk):
    referral = get_referral_for_user(request.user, pk)
    return _run(
        request,
        ReferralOutcomeForm(request.POST),
        lambda d: case_services.record_referral_outcome(referral=referral, acting_user=request.user, **d),
        success="已登记转介结果。",
        back=_back(referral.concern),
    )


@require_POST
def concern_close(request, pk):
    concern = get_case_for_user(request.user, pk, work=True)
    return _run(
        request,
        CloseConcernForm(request.POST),
        lambda d: case_services.close_case(concern=concern, action_taken=d["action_taken"], acting_user=request.user),
        success="个案已结案。",
        back=_back(concern),
    )


@require_POST
def case_reopen(request, pk):
    concern = get_case_for_user(request.user, pk, work=True)
    return _run(
        request,
        ReopenForm(request.POST),
        lambda d: case_services.reopen_case(concern=concern, reason=d["reason"], acting_user=request.user),
        success="个案已重新打开，状态为“处理中”。",
        back=_back(concern),
    )
