"""我的学生 keeps its order when a log is saved: a mentor who taps the second card after saving a visit for the
first must reach the child she meant (a visit meant for 向嘉懿 was saved for 谢语嫣 when the list re-sorted by
what was still due)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from tests.factories import ChildFactory, PairingFactory, TalkFactory

NAMES = ["王小花", "向嘉懿", "谢语嫣"]  # class order, then pinyin initials: wxh, xjy, xyy


def _order(page: str) -> list[str]:
    """The children's cards in the order shown (the task list above them may name them in its own order)."""
    cards = page[page.index('class="card card-child'):]
    return sorted(NAMES, key=cards.index)


def test_the_list_keeps_its_order_after_a_talk_is_saved(client, world):
    today = timezone.localdate()
    children = {}
    for name in NAMES:
        children[name] = ChildFactory(school_class=world.school_class, left_behind_type="both_away", name=name)
        PairingFactory(child=children[name], mentor=world.mentor, start_date=today - timedelta(days=60))
    TalkFactory(child=children["王小花"], author=world.mentor, date=today)  # done this week; the others are not
    client.force_login(world.mentor)
    before = _order(client.get(reverse("mentoring:my_students")).content.decode())
    assert before == NAMES

    response = client.post(
        reverse("mentoring:talk_create", args=[children["向嘉懿"].pk]),
        {"date": today.isoformat(), "place": "office", "topics": ["study"], "mood": "4", "text": "聊了学习。"},
    )
    assert response.status_code == 302
    after = _order(client.get(reverse("mentoring:my_students")).content.decode())
    assert after == before
