"""County administration: the bureau administrator's list of schools (staff counts, no child data) and the
page that adds a school with its first principal, whose first password is shown once."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from caretrack import selectors
from caretrack.county_forms import SchoolCreateForm
from caretrack.permissions import get_roles, is_bureau_admin
from caretrack.services import county as services


def _require_bureau_admin(user):
    if not is_bureau_admin(user):
        raise PermissionDenied("只有县教育局管理员可以管理学校。")
    return get_roles(user).profile


def schools(request):
    profile = _require_bureau_admin(request.user)
    return render(request, "caretrack/county/schools.html", {"schools": selectors.bureau_school_rows(profile)})


@never_cache
def school_create(request):
    profile = _require_bureau_admin(request.user)
    county = profile.bureau_schools.values_list("county", flat=True).first() or ""
    form = SchoolCreateForm(request.POST or None, county=county)
    if request.method == "POST" and form.is_valid():
        try:
            school, account = services.create_school(acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            # Shown once, on this response only: the password is not stored in clear anywhere.
            login_url = request.build_absolute_uri(reverse("login"))
            context = {"school": school, "account": account, "login_url": login_url}
            return render(request, "caretrack/county/created.html", context)
    return render(request, "caretrack/county/school_form.html", {"form": form})
