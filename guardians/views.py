from django.http import HttpResponse
from django.utils.html import format_html, format_html_join

from caretrack.forms_base import empty_choice_label
from caretrack.permissions import require_staff
from guardians.models import Region


def region_options(request):
    """<option>s of the regions under a province or city, for the work-place selects of the archive form
    (fetched by static/js/caretrack.js)."""
    require_staff(request.user)
    parent = request.GET.get("parent", "")
    level = 2 if request.GET.get("level") == "city" else 3
    # Counties hang under a city, or directly under the province for 北京/上海/天津/重庆 and 省直辖 cities.
    regions = Region.objects.filter(parent_id=parent, level=level) if parent else Region.objects.none()
    options = format_html_join("", '<option value="{}">{}</option>', ((r.code, r.name) for r in regions))
    # The same placeholder as the archive form's own 务工城市 / 务工区县 selects.
    placeholder = empty_choice_label("务工城市" if level == 2 else "务工区县")
    return HttpResponse(format_html('<option value="">{}</option>{}', placeholder, options))
