"""On a phone (390×844) nothing a teacher can tap on her main pages is smaller than 24×24 CSS pixels
(WCAG 2.2 target size, minimum): 我的学生, a child's page, the talk and home-visit forms, the class
teacher's view and the coordinator's lists. Inline links inside a sentence are exempt, as WCAG exempts them."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Every visible element a finger can hit, with its box, its text and whether it sits inside running text.
MEASURE = """() => [...document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, label[for], summary, [role=button], [onclick]'
  )].filter(el => {
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    // Hidden helpers are not targets: visually-hidden labels, and the input behind a .btn-check label
    // (the label is the button a finger hits).
    if (el.classList.contains('btn-check') || el.classList.contains('visually-hidden')) return false;
    // A plain field label is not a target of its own (the field is); a label styled as a button is.
    if (el.tagName === 'LABEL' && !el.classList.contains('btn')) return false;
    return style.visibility !== 'hidden' && style.display !== 'none' && box.width > 1 && box.height > 1;
  }).map(el => {
    const box = el.getBoundingClientRect();
    const inline = getComputedStyle(el).display === 'inline' && el.tagName === 'A'
      && el.parentElement && el.parentElement.textContent.trim().length > el.textContent.trim().length + 8;
    return {tag: el.tagName, text: (el.innerText || el.value || el.name || '').trim().slice(0, 30),
            w: Math.round(box.width * 10) / 10, h: Math.round(box.height * 10) / 10, inline,
            cls: el.className && el.className.baseVal === undefined ? el.className : ''};
  })"""


@pytest.fixture
def school_day(world):
    from caretrack.models import Term
    from tests.factories import ChildFactory, GuardianFactory, PairingFactory, ParentFactory, TalkFactory

    today = timezone.localdate()
    Term.objects.filter(school=world.school).update(
        start_date=today - timedelta(days=60), end_date=today + timedelta(days=60)
    )
    children = []
    for name in ("王小花", "向嘉懿", "谢语嫣"):
        child = ChildFactory(school_class=world.school_class, left_behind_type="both_away", name=name)
        ParentFactory(child=child, work_province_id=None, work_city_id=None)  # regions: see conftest
        GuardianFactory(child=child)
        PairingFactory(child=child, mentor=world.mentor, start_date=today - timedelta(days=30))
        children.append(child)
    TalkFactory(child=children[0], author=world.mentor, date=today)
    return children


def small_targets(page) -> list[dict]:
    return [t for t in page.evaluate(MEASURE) if not t["inline"] and (t["w"] < 24 or t["h"] < 24)]


def test_no_target_on_the_teachers_main_pages_is_smaller_than_24_px(
    page, browser_login, world, live_server, school_day
):
    child = school_day[0]
    pages = {
        "mentor": [
            reverse("mentoring:my_students"),
            reverse("children:detail", args=[child.pk]),
            reverse("mentoring:talk_create", args=[child.pk]),
            reverse("mentoring:visit_create", args=[child.pk]),
        ],
        "class_teacher": [reverse("mentoring:my_students"), reverse("children:list")],
        "coordinator": [reverse("children:list"), reverse("mentoring:pairings"), reverse("children:import")],
    }
    found = {}
    for persona, urls in pages.items():
        page.context.clear_cookies()
        browser_login(page, getattr(world, persona))
        for url in urls:
            page.goto(live_server.url + url)
            page.wait_for_load_state("domcontentloaded")
            small = small_targets(page)
            if small:
                found[f"{persona} {url}"] = small
    assert not found, "\n".join(f"{where}: {t}" for where, ts in found.items() for t in ts)


def test_the_talk_form_still_reads_well_with_larger_boxes(page, browser_login, world, live_server, school_day):
    """The larger check boxes sit beside their labels on one line (no label pushed under its box)."""
    browser_login(page, world.mentor)
    page.goto(live_server.url + reverse("mentoring:talk_create", args=[school_day[1].pk]))
    boxes = page.evaluate("""() => [...document.querySelectorAll('.form-check')].map(el => {
        const input = el.querySelector('input').getBoundingClientRect();
        const label = el.querySelector('label').getBoundingClientRect();
        return {inputTop: input.top, inputBottom: input.bottom, labelMiddle: (label.top + label.bottom) / 2};
    })""")
    assert boxes
    for box in boxes:
        assert box["inputTop"] <= box["labelMiddle"] <= box["inputBottom"], box
    page.screenshot(path="/tmp/talk_form.png", full_page=True)
