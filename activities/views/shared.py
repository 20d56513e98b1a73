"""What the activities pages share: the term filter, paging, the simple form page and the class tables."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render

from caretrack.models import Term
from caretrack.permissions import classes_visible_to

PAGE_SIZE = 30
TABLE_INVALID = "有数据不符合要求，请修改标红的格子后再保存（本次没有保存任何记录）。"


def filtered(request, filter_class, queryset, school, **kwargs):
    """The filter with the current term chosen unless the user picked another (or 全部学期)."""
    terms = Term.objects.filter(school=school).order_by("-start_date")
    data = request.GET.copy()
    if "term" not in data:
        current = next((t for t in terms if t.is_current), None)
        data["term"] = str(current.pk) if current else ""
    return filter_class(data, queryset=queryset, terms=terms, **kwargs)


def page_of(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def simple_form(request, form, title: str, back: str, delete_url: str = ""):
    context = {"form": form, "title": title, "back": back, "delete_url": delete_url}
    return render(request, "activities/simple_form.html", context)


def class_from_query(request):
    """The classes the user may choose from, and the one chosen with ?school_class= (None if none)."""
    classes = classes_visible_to(request.user).order_by("grade", "number")
    chosen = request.GET.get("school_class")
    school_class = classes.filter(pk=chosen).first() if chosen and chosen.isdigit() else None
    return classes, school_class


def all_rows_valid(rows) -> bool:
    return all(form.is_valid() for _, form in rows)


def row_values(rows) -> list[dict]:
    """The class table's rows as the services take them: the child and what was entered for them."""
    return [{"child": child, **form.row_data()} for child, form in rows]


def table_saved(school_class, saved) -> str:
    return f"{school_class}：新增 {saved.created} 条，更新 {saved.updated} 条，空白 {saved.skipped} 行未保存。"
