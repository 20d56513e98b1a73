from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from caretrack.permissions import classes_visible_to
from children.chronology import chronology as build_chronology
from children.permissions import children_visible_to, get_child_for_user
from mentoring import selectors, services
from mentoring.filters import PairableChildFilter, PairingFilter
from mentoring.forms import (
    LOG_FORMS,
    DeleteLogForm,
    EndPairingForm,
    ExternalMentorForm,
    PairingForm,
)
from mentoring.links import URL_PREFIX, detail_url, initial_for_log
from mentoring.models import LOG_MODELS, ExternalMentor, Pairing, PairingEndReason
from mentoring.permissions import (
    can_edit_log,
    can_log_for_external_mentor,
    get_child_for_logging,
    get_log_for_user,
    get_pairing_for_manager,
    get_visit_photo_for_user,
    require_my_students,
    require_pairing_manager,
)
from mentoring.photos import PENDING_VISIT_PHOTOS
from mentoring.selectors.class_home import class_summaries
from mentoring.selectors.lists import ended_pairings

KIND_LABELS = {kind: model._meta.verbose_name for kind, model in LOG_MODELS.items()}


def _add_service_error(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def _submit(request, form, save):
    """Save a log; a 家访's photos chosen on a try the form or the service refused wait as pending photos
    (caretrack.uploads.PendingPhotos.submit) and come back on the returned form. Returns (the saved log or
    None, the pending tokens to show)."""
    if "photos" in form.fields:
        return PENDING_VISIT_PHOTOS.submit(request, form, save, refuse=_add_service_error)
    if request.method == "POST" and form.is_valid():
        try:
            return save([]), []
        except ValidationError as error:
            _add_service_error(form, error)
    return None, []


def my_students(request):
    """我的学生: the teacher's phone home — a card per child with badges and one tap to log."""
    school = require_my_students(request.user)
    today = timezone.localdate()
    mine, others = selectors.my_students(user=request.user, school=school, on=today)
    # A class teacher's other children come as her class's summary and who mentors whom, not as more cards.
    classes = class_summaries(user=request.user, school=school, on=today, statuses=mine + others)
    return render(request, "mentoring/my_students.html", {"mine": mine, "classes": classes, "today": today})


def log_create(request, pk, kind):
    child = get_child_for_logging(request.user, pk)
    externals = None
    if can_log_for_external_mentor(request.user):
        externals = ExternalMentor.objects.filter(school=child.school)
    form = LOG_FORMS[kind](
        request.POST or None, request.FILES or None, external_mentors=externals, initial=initial_for_log(kind, child)
    )

    def save(photos):
        return services.create_log(
            model=LOG_MODELS[kind],
            child=child,
            data=form.log_data(),
            author=request.user,
            external_mentor=form.cleaned_data.get("external_mentor"),
            concern=form.concern(),
            client_key=form.cleaned_data["client_key"],
            photos=photos,
        )

    saved, pending = _submit(request, form, save)
    if saved is not None:
        # The tag carries the phone's key: the next page's script drops the draft and outbox entry it saved.
        key = form.cleaned_data["client_key"]
        told = f"已保存 {child.name} 的{KIND_LABELS[kind]}。"
        messages.success(request, told, extra_tags=f"saved-key-{key}" if key else "")
        return redirect(_next_url(request, reverse("mentoring:my_students")))
    context = {
        "form": form,
        "child": child,
        "kind": kind,
        "title": f"{KIND_LABELS[kind]} · {child.name}",
        "pending_photos": pending,
    }
    return render(request, "mentoring/log_form.html", context)


def log_detail(request, pk, kind):
    log = get_log_for_user(request.user, LOG_MODELS[kind], pk)
    prefix = URL_PREFIX[kind]
    context = {
        "log": log,
        "kind": kind,
        "kind_label": KIND_LABELS[kind],
        "can_edit": can_edit_log(request.user, log),
        "edit_url": reverse(f"mentoring:{prefix}_edit", args=[log.pk]),
        "delete_url": reverse(f"mentoring:{prefix}_delete", args=[log.pk]),
        "photos": log.photos.all() if kind == "visit" else [],
    }
    return render(request, "mentoring/log_detail.html", context)


def log_edit(request, pk, kind):
    log = get_log_for_user(request.user, LOG_MODELS[kind], pk, write=True)
    form = LOG_FORMS[kind](
        request.POST or None, request.FILES or None, instance=log, can_raise_concern=log.concern_id is None
    )

    def save(photos):
        return services.update_log(
            log=log,
            data=form.log_data(),
            acting_user=request.user,
            concern=form.concern(),
            photos=photos,
            remove_photos=form.photos_to_remove(),
        )

    saved, pending = _submit(request, form, save)
    if saved is not None:
        messages.success(request, "记录已修改。")
        return redirect(detail_url(log))
    context = {
        "form": form,
        "child": log.child,
        "kind": kind,
        "log": log,
        "title": f"修改{KIND_LABELS[kind]}",
        "pending_photos": pending,
    }
    return render(request, "mentoring/log_form.html", context)


def visit_photo(request, pk, thumbnail=False):
    """A home-visit photo (or its thumbnail), only to whom may read the visit: a child's home is private."""
    photo = get_visit_photo_for_user(request.user, pk)
    field = photo.thumbnail if thumbnail else photo.image
    try:
        handle = field.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("照片文件不存在。") from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


def pending_visit_photo(request, token):
    """A photo waiting on the user's own 家访 form (PENDING_VISIT_PHOTOS): nobody else's session names it,
    so anyone else (whatever their role) gets 404."""
    handle = PENDING_VISIT_PHOTOS.open(request, token)
    if handle is None:
        raise Http404("没有找到该照片。")
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def log_delete(request, pk, kind):
    log = get_log_for_user(request.user, LOG_MODELS[kind], pk, write=True)
    form = DeleteLogForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写删除原因。")
        return redirect(detail_url(log))
    services.delete_log(log=log, acting_user=request.user, reason=form.cleaned_data["reason"])
    messages.success(request, "记录已删除（删除操作已记入审计日志）。")
    return redirect("children:detail", pk=log.child_id)


def child_chronology(request, pk):
    """成长档案: every log of the child, newest first, filtered by kind."""
    child = get_child_for_user(request.user, pk)
    kind = request.GET.get("kind") or ""
    everything = build_chronology(child, request.user)
    # The filter offers the kinds this child's record has, whichever app contributed them.
    kinds = [("", "全部"), *dict.fromkeys((e.kind, e.kind_label) for e in everything)]
    entries = [e for e in everything if e.kind == kind] if kind else everything
    context = {"child": child, "entries": entries, "kind": kind, "kinds": kinds}
    return render(request, "mentoring/chronology.html", context)


MENTORS_PER_PAGE = 20  # about 60 children: a few screens on a phone
PICKER_SIZE = 30  # children offered at once by the 新建结对 picker


def _school_classes(user):
    return classes_visible_to(user).order_by("grade", "number")


def pairing_list(request):
    """结对帮扶: every mentor with their children and badges, overdue first; searched by child, pinyin
    initials or mentor, filtered by class or grade, a page of mentors at a time."""
    school = require_pairing_manager(request.user)
    today = timezone.localdate()
    board_filter = PairingFilter(
        request.GET, queryset=Pairing.objects.filter(child__school=school), school=school,
        classes=_school_classes(request.user),
    )  # fmt: skip
    searching = any(request.GET.get(name) for name in board_filter.filters)
    rows = selectors.mentor_board(school=school, on=today, pairings=board_filter.qs if searching else None)
    context = {
        "filter": board_filter,
        "searching": searching,
        "page": Paginator(rows, MENTORS_PER_PAGE).get_page(request.GET.get("page")),
        "pair_count": sum(len(row.pairings) for row in rows),
        "unpaired": selectors.unpaired_children(school=school, on=today).count(),
        "limit": school.max_children_per_mentor,
        # 结束结对's fields are the same on every row: their defaults once, not a bound form per pairing.
        "end_date": today,
        "end_reason": EndPairingForm.base_fields["reason"].initial,
        "end_reasons": PairingEndReason.choices,
        "ended": ended_pairings(school=school),
        "can_log_for_externals": can_log_for_external_mentor(request.user),
    }
    return render(request, "mentoring/pairings.html", context)


def _child_picker(request, school, *, chosen=None) -> dict:
    """新建结对's child picker: the children matching the search (waiting for a mentor unless 含已结对), a short
    list of them by class, and the child already chosen kept on top (four queries at most)."""
    today = timezone.localdate()
    unpaired = selectors.unpaired_children(school=school, on=today)
    picker = PairableChildFilter(
        request.GET, queryset=selectors.pairable_children(school=school, on=today), school=school,
        classes=_school_classes(request.user), unpaired=unpaired,
    )  # fmt: skip
    shown = list(picker.qs[:PICKER_SIZE])
    total = picker.qs.count()
    waiting = set(unpaired.filter(pk__in=[c.pk for c in shown]).values_list("pk", flat=True))
    for child in shown:
        child.waiting = child.pk in waiting
    return {
        "picker": picker,
        "shown": shown,
        "total": total,
        "chosen": chosen if chosen is not None and chosen.pk not in {c.pk for c in shown} else None,
        "chosen_pk": chosen.pk if chosen is not None else None,
    }


def pairing_children(request):
    """The 新建结对 picker as one types: the short list of matching children, as an HTML fragment."""
    school = require_pairing_manager(request.user)
    return render(request, "mentoring/_pairable_children.html", _child_picker(request, school))


def pairing_create(request):
    school = require_pairing_manager(request.user)
    form = PairingForm(request.POST or None, school=school, initial={"child": request.GET.get("child")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            pairing = services.pair_child(
                child=data["child"],
                mentor=data["mentor"],
                external_mentor=data["external_mentor"],
                role=data["role"],
                start_date=data["start_date"],
                is_secondary=data["is_secondary"],
                over_limit_reason=data["over_limit_reason"],
                acting_user=request.user,
            )
        except ValidationError as error:
            _add_service_error(form, error)
        else:
            role = pairing.get_role_display()
            messages.success(request, f"已结对：{pairing.mentor_name} — {pairing.child.name}（{role}）。")
            return redirect("mentoring:pairings")
    context = {"form": form, "title": "新建结对", **_child_picker(request, school, chosen=form.chosen_child())}
    return render(request, "mentoring/pairing_form.html", context)


@require_POST
def pairing_end(request, pk):
    """End one pairing with its reason; back to the pairings page, or to the page it came from (the
    term-start checklist)."""
    pairing = get_pairing_for_manager(request.user, pk)
    form = EndPairingForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.end_pairing(
                pairing=pairing,
                end_date=data["end_date"],
                reason=data["reason"],
                note=data["note"],
                acting_user=request.user,
            )
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        else:
            messages.success(request, f"已结束结对：{pairing}（{pairing.get_end_reason_display()}）。")
    else:
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
    return redirect(_next_url(request, reverse("mentoring:pairings")))


def unpaired(request):
    """待结对: left-behind children without a mentor, each with suggested mentors (their class teacher
    first, then the teachers with the fewest children)."""
    school = require_pairing_manager(request.user)
    today = timezone.localdate()
    options = selectors.mentor_options(school=school, on=today)
    children = list(selectors.unpaired_children(school=school, on=today))
    limit = school.max_children_per_mentor
    plan = selectors.plan_pairings(children, options, limit)
    rows = [(child, selectors.suggestions_for(child, options, limit), plan.get(child.pk)) for child in children]
    context = {"rows": rows, "options": options, "today": today, "limit": limit}
    return render(request, "mentoring/unpaired.html", context)


@require_POST
def bulk_pair(request):
    school = require_pairing_manager(request.user)
    chosen = {
        key.removeprefix("mentor_"): value for key, value in request.POST.items() if key.startswith("mentor_") and value
    }
    if not chosen:
        messages.warning(request, "没有选择任何帮扶教师。")
        return redirect("mentoring:unpaired")
    try:
        children = {str(c.pk): c for c in children_visible_to(request.user).filter(pk__in=list(chosen))}
        mentors = {
            str(u.pk): u
            for u in User.objects.filter(
                pk__in=list(chosen.values()), profile__school=school, profile__is_teacher=True
            ).select_related("profile")
        }
        start = timezone.datetime.strptime(request.POST.get("start_date") or str(timezone.localdate()), "%Y-%m-%d")
    except ValueError:
        messages.error(request, "提交的数据有误，请刷新页面后重试。")
        return redirect("mentoring:unpaired")
    assignments = [(children[c], mentors[m]) for c, m in chosen.items() if c in children and m in mentors]
    if len(assignments) != len(chosen):
        messages.error(request, "部分学生或教师不属于本校，未做任何结对。")
        return redirect("mentoring:unpaired")
    try:
        n = services.bulk_pair(
            school=school, assignments=assignments, start_date=start.date(), acting_user=request.user
        )
    except ValidationError as error:
        messages.error(request, "未做任何结对：" + "；".join(error.messages))
    else:
        messages.success(request, f"已为 {n} 名学生结对。")
    return redirect("mentoring:unpaired")


def external_mentor_create(request):
    school = require_pairing_manager(request.user)
    form = ExternalMentorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            mentor = services.create_external_mentor(school=school, data=form.cleaned_data, acting_user=request.user)
        except ValidationError as error:
            _add_service_error(form, error)
        else:
            messages.success(request, f"已添加校外帮扶人：{mentor}。现在可以为其结对。")
            return redirect("mentoring:pairing_create")
    return render(request, "mentoring/simple_form.html", {"form": form, "title": "添加校外帮扶人"})
