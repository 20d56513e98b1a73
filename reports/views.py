from django.shortcuts import render

from caretrack.permissions import require_bureau, require_school_manager


def dashboard(request):
    """The principal's and coordinator's dashboard (figures arrive with the reports work)."""
    school = require_school_manager(request.user)
    return render(request, "reports/dashboard.html", {"school": school})


def county(request):
    """The county bureau's overview: aggregates only, never a child."""
    schools = require_bureau(request.user)
    return render(request, "reports/county.html", {"schools": schools})
