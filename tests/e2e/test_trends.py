"""The principal reads the 历年趋势 chart on a phone (390×844): seven terms and four rates, no label over another,
none cut or outside the chart, the legend above the plot; the bureau's school × term chart likewise."""

from datetime import date

import pytest

from tests.e2e.test_dashboard_charts_on_a_phone import LABELS, _inside, _overlap
from tests.reports.helpers import build_known_school

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seven_terms(world):
    from children.models import LeftBehindPeriod
    from tests.factories import TalkFactory, TermFactory

    build_known_school(world)
    LeftBehindPeriod.objects.update(start_date=date(2023, 9, 1))
    for year in (2023, 2024, 2025):
        TermFactory(school=world.school, start_year=year, semester=1, start_date=date(year, 9, 1),
                    end_date=date(year + 1, 1, 20), is_current=False)  # fmt: skip
        TermFactory(school=world.school, start_year=year, semester=2, start_date=date(year + 1, 2, 20),
                    end_date=date(year + 1, 7, 10), is_current=False)  # fmt: skip
        child = world.school_class.children.filter(name__startswith="王小").first()
        TalkFactory(child=child, date=date(year, 10, 12))


def _problems(chart) -> list[str]:
    problems, texts = [], chart["texts"]
    for i, a in enumerate(texts):
        if "..." in a["text"] or "…" in a["text"]:
            problems.append(f"cut label {a['text']!r}")
        if not _inside(a["box"], chart["box"]):
            problems.append(f"{a['text']!r} outside its chart")
        problems += [f"{a['text']!r} over {b['text']!r}" for b in texts[i + 1 :] if _overlap(a["box"], b["box"])]
    return problems


def test_the_trend_chart_reads_on_a_phone(page, browser_login, live_server, world, seven_terms):
    browser_login(page, world.principal)
    page.goto(f"{live_server.url}/reports/dashboard/")
    page.wait_for_function("document.querySelector('[data-chart=trend]')?.dataset.chartDrawn")
    page.wait_for_timeout(300)  # ECharts' entry animation ends
    chart = next(c for c in page.evaluate(LABELS) if c["chart"] == "trend")
    assert chart["drawnAs"] == "trend"
    assert _problems(chart) == []
    texts = [t["text"] for t in chart["texts"]]
    for name in ("建档率", "结对覆盖率", "谈心达标率", "家访覆盖率"):
        assert name in texts  # the legend names every line in full
    assert len([t for t in texts if t.endswith(("秋", "春"))]) >= 3  # enough terms on the axis to read it
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator("[data-change=archive_rate]").first.is_visible()


def test_the_county_trend_charts_read_on_a_phone(page, browser_login, live_server, world, seven_terms):
    browser_login(page, world.bureau)
    page.goto(f"{live_server.url}/reports/county/trends/?figure=talks_term")
    page.wait_for_function("[...document.querySelectorAll('[data-chart]')].every(el => el.dataset.chartDrawn)")
    page.wait_for_timeout(300)
    charts = {c["chart"]: c for c in page.evaluate(LABELS)}
    assert set(charts) == {"trend", "figure"}
    for name, chart in charts.items():
        assert _problems(chart) == [], name
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
