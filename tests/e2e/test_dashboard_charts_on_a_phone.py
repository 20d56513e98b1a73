"""The principal reads the dashboard's charts on a phone (390×844): no axis label lies over another, no
label is cut (父母均外出 and 一方外出另一方无监护能力 in full), nothing sticks out of its chart, and the week
under way is drawn apart from the finished weeks instead of as a collapse. ECharts draws with its SVG
renderer, so each label is a <text> whose box the browser measures."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.reports.helpers import build_known_school

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Every label of every chart: its chart, its text and its box (relative to the page).
LABELS = """() => [...document.querySelectorAll('[data-chart]')].map(el => ({
    chart: el.dataset.chart,
    drawnAs: el.dataset.drawnAs,
    box: el.getBoundingClientRect().toJSON(),
    texts: [...el.querySelectorAll('svg text')].filter(t => t.textContent.trim() && t.getBBox().width > 0)
      .map(t => ({text: t.textContent, box: t.getBoundingClientRect().toJSON()})),
  }))"""

SERIES = """() => echarts.getInstanceByDom(document.querySelector('[data-chart=weekly_talks]')).getOption().series
    .map(s => ({name: s.name, data: s.data}))"""


@pytest.fixture
def busy_term(world):
    from activities.models import ActivityKind
    from caretrack.models import Term
    from children.models import Child
    from tests.factories import ActivityFactory, TalkFactory

    known = build_known_school(world)
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    Term.objects.filter(school=world.school).update(
        start_date=monday - timedelta(weeks=15), end_date=today + timedelta(days=60)
    )
    child = Child.objects.filter(school_class=world.school_class).first()
    for week in range(1, 16):  # 15 finished weeks of 6 talks, and a single talk so far this week
        for day in range(6):
            TalkFactory(child=child, author=world.mentor, date=monday - timedelta(weeks=week) + timedelta(days=day % 5))
    TalkFactory(child=child, author=world.mentor, date=monday)
    for kind in ActivityKind.values:  # every kind once: long names such as 家长会/监护人培训 side by side
        ActivityFactory(school=world.school, kind=kind, date=monday - timedelta(weeks=2))
    return known


def _overlap(a, b) -> bool:
    return (
        min(a["right"], b["right"]) - max(a["left"], b["left"]) > 1
        and min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > 1
    )


def _inside(inner, outer) -> bool:
    return (
        inner["left"] >= outer["left"] - 1
        and inner["right"] <= outer["right"] + 1
        and inner["top"] >= outer["top"] - 1
        and inner["bottom"] <= outer["bottom"] + 1
    )


def test_the_dashboards_charts_read_on_a_phone(page, browser_login, live_server, world, busy_term):
    browser_login(page, world.principal)
    page.goto(f"{live_server.url}/reports/dashboard/")
    page.wait_for_function("[...document.querySelectorAll('[data-chart]')].every(el => el.dataset.chartDrawn)")
    page.wait_for_timeout(300)  # ECharts' entry animation ends
    charts = {c["chart"]: c for c in page.evaluate(LABELS)}
    assert set(charts) >= {"types", "provinces", "grades", "mentor_load", "weekly_talks", "activities"}

    problems = []
    for name, chart in charts.items():
        texts = chart["texts"]
        assert texts, name
        for i, a in enumerate(texts):
            if "..." in a["text"] or "…" in a["text"]:
                problems.append(f"{name}: cut label {a['text']!r}")
            if not _inside(a["box"], chart["box"]):
                problems.append(f"{name}: {a['text']!r} outside its chart")
            problems += [
                f"{name}: {a['text']!r} over {b['text']!r}" for b in texts[i + 1 :] if _overlap(a["box"], b["box"])
            ]
    assert problems == []

    # The pie names every type in full (in its legend), with its count.
    pie_texts = " ".join(t["text"] for t in charts["types"]["texts"])
    assert "父母均外出" in pie_texts and "一方外出另一方无监护能力" in pie_texts
    # Nine activity kinds do not fit side by side on a phone: they are drawn as horizontal bars.
    assert charts["activities"]["drawnAs"] == "hbar"
    # The weekly line: enough dates on the axis to read it, the week under way apart from the line.
    week_labels = [t["text"] for t in charts["weekly_talks"]["texts"] if "/" in t["text"]]
    assert len(week_labels) >= 4
    finished, going = page.evaluate(SERIES)
    assert finished["name"] == "已结束的周" and finished["data"][-1] is None and finished["data"][-2] == 6
    assert going["name"] == "本周进行中" and going["data"][-1] == 1 and set(going["data"][:-1]) == {None}
    assert page.get_by_text("这一周还没有结束").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # Turned to landscape, each chart is drawn again for its card's new width.
    page.set_viewport_size({"width": 844, "height": 390})
    page.wait_for_function("document.querySelector('[data-chart=weekly_talks]').dataset.chartDrawn > 500")
    svg_width = page.evaluate("document.querySelector('[data-chart=weekly_talks] svg').getBoundingClientRect().width")
    assert svg_width > 500
