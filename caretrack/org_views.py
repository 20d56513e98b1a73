import django_filters
from django.core.paginator import Paginator
from django.shortcuts import render

from caretrack.models import AuditAction, AuditEvent
from caretrack.permissions import require_audit_reader


class AuditFilter(django_filters.FilterSet):
    action = django_filters.ChoiceFilter(label="操作", choices=AuditAction.choices, empty_label="全部操作")
    user__last_name = django_filters.CharFilter(label="操作人", method="filter_user")
    date_from = django_filters.DateFilter(label="起始日期", field_name="at", lookup_expr="date__gte")
    date_to = django_filters.DateFilter(label="截止日期", field_name="at", lookup_expr="date__lte")

    class Meta:
        model = AuditEvent
        fields = ["action"]

    def filter_user(self, queryset, name, value):
        return queryset.filter(user__first_name__contains=value) | queryset.filter(user__username__contains=value)


def audit_log(request):
    """The principal reads who viewed, exported, imported or deleted what. Read-only by design."""
    school = require_audit_reader(request.user)
    events = AuditEvent.objects.filter(school=school).select_related("user")
    audit_filter = AuditFilter(request.GET, queryset=events)
    page = Paginator(audit_filter.qs, 50).get_page(request.GET.get("page"))
    return render(request, "caretrack/audit_log.html", {"filter": audit_filter, "page": page})
