from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods, require_POST

from caretrack import audit
from caretrack.models import AuditAction, SchoolClass
from caretrack.permissions import classes_visible_to, get_roles, require_staff
from children import selectors, services, transfer_selectors
from children.archive_form import ArchiveForms, colleague_changes
from children.archive_sections import BASICS, SECTIONS_BY_KEY, archive_progress, sections_posted
from children.completeness import completeness_of
from children.filters import IN_CARE, ChildFilter
from children.forms import ContactCardsForm, ParentCameHomeForm
from children.models import ACTIVE_STATUSES, AwayStatus, Child, Guardian, Parent
from children.permissions import (
    Place,
    can_create_child,
    can_edit_child,
    can_transfer_child,
    children_visible_to,
    get_child_for_user,
    identifiers_visible,
    show_identifiers,
)
from children.services import calls

PAGE_SIZE = 30


def child_list(request):
    require_staff(request.user)
    today = timezone.localdate()
    visible = children_visible_to(request.user)
    data = request.GET.copy()
    data.setdefault("left_behind_type", IN_CARE)
    classes, school = classes_visible_to(request.user), get_roles(request.user).school
    child_filter = ChildFilter(data, queryset=visible, classes=classes, on=today, school=school)
    page = Paginator(selectors.child_list(child_filter.qs, on=today), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(child, completeness_of(child)) for child in page]
    return render(
        request,
        "children/child_list.html",
        {
            "filter": child_filter,
            "page": page,
            "rows": rows,
            "can_create": can_create_child(request.user),
        },
    )


def child_detail(request, pk):
    try:  # one read of the child, scoped as get_child_for_user scopes it: 404 when out of the user's scope
        child = selectors.child_detail(pk, children_visible_to(request.user))
    except Child.DoesNotExist:
        raise Http404("没有找到该学生，或您无权查看。") from None
    full = identifiers_visible(request.user, place=Place.CHILD_PAGE, child=child)
    show_identifiers(child, [*child.parents.all(), *child.guardians.all()], full=full)
    chronology, chronology_kinds = selectors.chronology(child, user=request.user, kind=request.GET.get("kind"))
    if full:
        audit.record(
            user=request.user, action=AuditAction.VIEW_CHILD, target=f"{child.name}（{child.pk}）", school=child.school
        )
    context = {
        "child": child,
        "completeness": completeness_of(child),
        "show_full": full,
        "can_edit": can_edit_child(request.user, child),
        "history": transfer_selectors.chain_history(child),  # with the records at earlier schools (转学)
        "can_transfer": can_edit_child(request.user, child) and can_transfer_child(request.user, child),
        "can_export_transfer": can_transfer_child(request.user, child),
        "leaving": transfer_selectors.leaving_note(child),
        "parent_statuses": AwayStatus.choices,
        "chronology": chronology,
        "chronology_kinds": chronology_kinds,
        "chronology_kind": request.GET.get("kind", ""),
        # A record that ended (转出, 毕业) is read-only: no log buttons either.
        "child_actions": selectors.child_actions_for(child) if child.status in ACTIVE_STATUSES else [],
    }
    response = render(request, "children/child_detail.html", context)
    if full:
        # Full ID numbers and phones: no cache may keep the page, the phone's offline copy neither (sw.js).
        add_never_cache_headers(response)
    return response


def child_create(request):
    """A new archive asks 基本信息 only (children.archive_sections) and then opens in sections; the desktop's
    full form may still post every section at once (sections_posted)."""
    school = require_staff(request.user)
    classes = classes_visible_to(request.user)
    if not can_create_child(request.user) or not classes.exists():
        raise PermissionDenied("只有校长、关爱工作负责人或班主任可以新建学生档案。")
    posted = sections_posted(request.POST) if request.method == "POST" else [BASICS]
    forms = ArchiveForms(request.POST or None, classes=classes, sections=posted)
    if request.method == "POST" and forms.is_valid():
        try:
            child = services.save_archive(school=school, data=forms.archive_data(), acting_user=request.user)
        except ValidationError as error:
            forms.add_service_error(error)
        else:
            messages.success(request, f"已为 {child.name} 建档，留守类型：{child.get_left_behind_type_display()}。")
            if posted == [BASICS]:
                return redirect("children:archive", pk=child.pk)
            return redirect("children:detail", pk=child.pk)
    return render(
        request,
        "children/archive_section.html",
        {"forms": forms, "title": "新建学生档案", "section": SECTIONS_BY_KEY[BASICS], "creating": True},
    )


def archive(request, pk):
    """The archive in sections, with its completeness: each section opens on a page of its own."""
    child = _editable_child(request, pk)
    return render(request, "children/archive.html", {"child": child, "progress": archive_progress(child.pk)})


def archive_section(request, pk, section):
    """One section of the archive, saved on its own: only its fields, only those the user changed, and
    refused only when a colleague changed one of the same fields since the page was opened."""
    child = _editable_child(request, pk)
    part, classes = SECTIONS_BY_KEY[section], classes_visible_to(request.user)
    forms = ArchiveForms(request.POST or None, classes=classes, child=child, sections=[part.key])
    shown_key = f"archive-shown-{child.pk}-{part.key}"
    shown = request.session.get(shown_key, {})
    if request.method == "POST" and forms.is_valid():
        version, shown_version = forms.versions
        loaded = shown.get(str(shown_version))
        stored_child = get_child_for_user(request.user, pk, write=True)
        stored = ArchiveForms(classes=classes, child=stored_child, sections=[part.key])
        if forms.unchanged_from(stored):
            return _section_saved(request, child, part)
        clash = stored_child.version != version and forms.conflicting_fields(stored, loaded=loaded)
        try:
            if clash:
                raise services.StaleArchive(version=stored_child.version)
            services.save_archive(
                school=child.school,
                data=forms.archive_data(loaded=loaded),
                acting_user=request.user,
                child=child,
                expected_version=stored_child.version,
            )
        except services.StaleArchive as stale:
            forms.refuse_stale(colleague_changes(child, since_version=version), version=stale.version)
        except ValidationError as error:
            forms.add_service_error(error)
        else:
            return _section_saved(request, child, part)
    elif request.method != "POST":
        request.session[shown_key] = _kept_versions(shown, child.version, forms.snapshot())
    if part.identifiers and identifiers_visible(request.user, place=Place.ARCHIVE_FORM, child=child):
        audit.record(
            user=request.user, action=AuditAction.VIEW_CHILD, target=f"{child.name}（{child.pk}）", school=child.school
        )
    context = {"forms": forms, "title": f"{child.name} · {part.title}", "child": child, "section": part}
    return render(request, "children/archive_section.html", {**context, "progress": archive_progress(child.pk)})


def _section_saved(request, child, part):
    messages.success(request, f"已保存 {child.name} 的{part.title}。")
    return redirect(f"{reverse('children:archive', args=[child.pk])}#section-{part.key}")


def _editable_child(request, pk):
    child = get_child_for_user(request.user, pk, write=True)
    if not can_edit_child(request.user, child):
        raise PermissionDenied("该档案已转出或毕业，只能查看，不能修改。")
    return child


def child_edit(request, pk):
    child = _editable_child(request, pk)
    forms = ArchiveForms(request.POST or None, classes=classes_visible_to(request.user), child=child)
    shown = request.session.get(f"archive-shown-{child.pk}", {})  # version -> the values a page showed
    if request.method == "POST" and forms.is_valid():
        version, shown_version = forms.versions
        data = forms.archive_data(loaded=shown.get(str(shown_version)))
        try:
            services.save_archive(
                school=child.school, data=data, acting_user=request.user, child=child, expected_version=version
            )
        except services.StaleArchive as stale:
            # The instance the form holds has the typed values on it: compare with the archive as stored.
            if not forms.would_change(get_child_for_user(request.user, pk, write=True)):  # a double tap
                return _archive_saved(request, child)
            forms.refuse_stale(colleague_changes(child, since_version=version), version=stale.version)
        except ValidationError as error:
            forms.add_service_error(error)
        else:
            return _archive_saved(request, child)
    elif request.method != "POST":
        _remember_shown(request, child, forms.snapshot(), shown)
    if identifiers_visible(request.user, place=Place.ARCHIVE_FORM, child=child):
        audit.record(
            user=request.user, action=AuditAction.VIEW_CHILD, target=f"{child.name}（{child.pk}）", school=child.school
        )
    return render(
        request, "children/child_form.html", {"forms": forms, "title": f"编辑档案：{child.name}", "child": child}
    )


SHOWN_VERSIONS_KEPT = 5


def _remember_shown(request, child, snapshot: dict, shown: dict) -> None:
    request.session[f"archive-shown-{child.pk}"] = _kept_versions(shown, child.version, snapshot)


def _kept_versions(shown: dict, version: int, snapshot: dict) -> dict:
    """The values pages showed, by version (the newest few), with `snapshot` as `version`'s."""
    shown.pop(str(version), None)
    shown[str(version)] = snapshot
    return dict(list(shown.items())[-SHOWN_VERSIONS_KEPT:])


def _archive_saved(request, child):
    messages.success(request, f"{child.name} 的档案已保存。")
    return redirect("children:detail", pk=child.pk)


@require_POST
def parent_status_change(request, pk):
    child = _editable_child(request, pk)
    form = ParentCameHomeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        services.update_parent_status(
            child=child,
            role=data["role"],
            values=form.parent_values(),
            on=data["on"],
            reason=data["reason"] or "父母外出状态变化",
            acting_user=request.user,
        )
        child.refresh_from_db()
        messages.success(
            request,
            f"已记录。{child.name} 自 {data['on']:%Y-%m-%d} 起的留守类型：{child.get_left_behind_type_display()}"
            + ("，属事实无人抚养。" if selectors.is_unsupported_on(child, data["on"]) else "。"),
        )
    else:
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
    return redirect("children:detail", pk=child.pk)


@require_http_methods(["GET", "POST"])
def contact_cards(request):
    """家校联系卡, several per A4 page, for the children the user may see (or one class, or one child).
    A GET shows whose cards they would be (names and classes only) and records nothing; printing them with
    the phone numbers the masking policy allows is a POST, recorded like an export."""
    school = require_staff(request.user)
    form = ContactCardsForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        return bad_request(request, form)
    children = _card_children(request.user, school, form.cleaned_data)
    if request.method != "POST":
        preview = children.select_related("school_class").order_by("school_class__grade", "school_class__number")
        return render(request, "children/contact_cards_choose.html", {"preview": list(preview), "selection": form})
    cards = selectors.contact_cards(children)
    shown_full = []
    for card in cards:
        full = identifiers_visible(request.user, place=Place.CONTACT_CARD, child=card.child)
        show_identifiers(card.child, [*card.parents, *([card.guardian] if card.guardian else [])], full=full)
        shown_full.append(full)
    if cards:
        audit.record(
            user=request.user,
            action=AuditAction.EXPORT,
            target=f"家校联系卡 {len(cards)} 张",
            school=school,
            kind="contact_cards",
            children=len(cards),
            full_identifiers=any(shown_full),
            masked_cards=shown_full.count(False),
        )
    return render(request, "children/contact_cards.html", {"cards": cards})


def _card_children(user, school, selection: dict):
    """The children whose cards were asked for; 404 for a class of another school or a child out of scope."""
    children = children_visible_to(user)
    if selection["school_class"]:
        if not SchoolClass.objects.filter(pk=selection["school_class"], school=school).exists():
            raise Http404("没有找到该班级，或您无权查看。")
        children = children.filter(school_class_id=selection["school_class"])
    if selection["child"]:
        children = children.filter(pk=get_child_for_user(user, selection["child"]).pk)
    return children


def bad_request(request, form):
    """A parameter that is not what the page sends (an id that is not a number): 400, nothing recorded."""
    errors = [e for field_errors in form.errors.values() for e in field_errors]
    return render(request, "children/bad_request.html", {"errors": errors}, status=400)


class _TelRedirect(HttpResponseRedirect):
    """A redirect to the phone's dialer (Django's redirects allow http, https and ftp only)."""

    allowed_schemes = ["tel"]


def _call(request, person):
    """拨打: open the phone's dialer on a parent's or guardian's number, if the caller may see the child
    (404 otherwise); the full number is handed out through the service, which records the call."""
    child = get_child_for_user(request.user, person.child_id)
    try:
        number = calls.number_to_call(person=person, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("children:detail", child.pk)
    return _TelRedirect(f"tel:{number}")


def call_parent(request, pk):
    return _call(request, get_object_or_404(Parent.objects.select_related("child__school"), pk=pk))


def call_guardian(request, pk):
    return _call(request, get_object_or_404(Guardian.objects.select_related("child__school"), pk=pk))
