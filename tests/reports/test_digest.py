"""Every Monday each principal gets the week's digest of their own school: 结对率, children overdue and open
concerns, counts only, with a link to the dashboard, once per week."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from caretrack.models import Notification
from reports.digest import weekly_digests
from tests.caretrack.notify_servers import robot_fixture  # noqa: F401 (fixture)
from tests.factories import ConcernFactory, PairingFactory, StaffFactory, TalkFactory
from tests.reports.helpers import left_behind_child

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 9, 21)


@pytest.fixture
def school_week(world):
    """Three left-behind children: two paired (one of them without a talk last week), one not paired; one
    open concern."""
    late, fine, unpaired = (
        left_behind_child(world.school_class, complete=False, name=name) for name in ("欧阳小明", "王小红", "李小军")
    )
    for child in (late, fine):
        PairingFactory(child=child, mentor=world.mentor, start_date=date(2026, 9, 1))
    TalkFactory(child=fine, author=world.mentor, date=date(2026, 9, 15))
    ConcernFactory(child=unpaired, raised_by=world.class_teacher, raised_on=date(2026, 9, 10))


def digest_for(user, day=MONDAY):
    return [m for m in weekly_digests(day) if user in m.recipients]


def test_on_monday_the_principal_gets_the_schools_figures_as_counts(world, school_week):
    (digest,) = digest_for(world.principal)

    assert digest.key == f"digest:{world.school.pk}:2026-W39"
    assert digest.title == "本周关爱工作汇总（2026年第39周）"
    assert "结对率 66.7%（已结对 2 / 关爱对象 3 人）" in digest.body
    assert "记录逾期的学生 1 名" in digest.body
    assert "待处理关注事项 1 件" in digest.body
    assert digest.link == reverse("reports:dashboard")
    for name in ("欧阳", "王小红", "李小军"):
        assert name not in digest.title + digest.body


def test_each_principal_gets_only_their_own_schools_digest(world, school_week):
    second = StaffFactory(school=world.school, is_principal=True).user

    ours = digest_for(world.principal)
    theirs = digest_for(world.other_principal)

    assert len(ours) == 1 and set(ours[0].recipients) == {world.principal, second}
    assert len(theirs) == 1 and theirs[0].key == f"digest:{world.other_school.pk}:2026-W39"
    assert world.principal not in theirs[0].recipients
    assert "关爱对象 0 人" in theirs[0].body


def test_there_is_no_digest_on_other_days_nor_for_coordinators(world, school_week):
    assert digest_for(world.principal, date(2026, 9, 22)) == []
    assert digest_for(world.coordinator) == []


def test_send_reminders_delivers_the_digest_once_and_posts_it_to_the_group_robot(
    world, school_week, robot, django_capture_on_commit_callbacks
):
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_reminders", "--date", "2026-09-21", stdout=StringIO())

    assert Notification.objects.filter(recipient=world.principal, key__startswith="digest:").count() == 1
    posts = [p["text"]["content"] for p in robot.posts if p["text"]["content"].startswith("本周关爱工作汇总")]
    assert len(posts) == 2  # one per school, not one per run
    assert all("欧阳小明" not in post for post in posts)
    assert {post.split("\n")[0].split(" ")[-1] for post in posts} == {world.school.name, world.other_school.name}
