"""Two people editing the same record at the same time: the later save must not silently undo the
earlier one. (A full form posted from a page loaded before a colleague's save carries the old values.)"""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from children.models import Child
from tests.children.test_archive_pages import archive_post, edit_post, shown_versions
from tests.factories import ChildFactory, PairingFactory, TalkFactory

pytestmark = pytest.mark.django_db


def test_editing_a_childs_archive_saves_the_change(world):
    principal = Client()
    principal.force_login(world.principal)
    principal.post(reverse("children:create"), archive_post(world))
    child = Child.objects.get(name="张小明")
    response = principal.post(
        reverse("children:edit", args=[child.pk]),
        edit_post(world, child, **{"child-interests": "书法", "child-current_address": "溆浦县桃源村5组"}),
    )
    assert response.status_code == 302
    child.refresh_from_db()
    assert (child.interests, child.current_address) == ("书法", "溆浦县桃源村5组")


def test_a_stale_archive_form_does_not_undo_a_colleagues_edit(world):
    principal, teacher = Client(), Client()
    principal.force_login(world.principal)
    teacher.force_login(world.class_teacher)
    principal.post(reverse("children:create"), archive_post(world))
    child = Child.objects.get(name="张小明")
    url = reverse("children:edit", args=[child.pk])
    opened = principal.get(url)  # the principal opens the form ...
    assert opened.status_code == 200
    seen = shown_versions(opened)

    # ... meanwhile the class teacher corrects the current address and saves,
    saved = teacher.post(url, edit_post(world, child, **{"child-current_address": "溆浦县桃源村5组"}))
    assert saved.status_code == 302
    # ... then the principal saves the form as loaded, changing only the interests: refused, with what changed.
    refused = principal.post(url, archive_post(world, **seen, **{"child-interests": "书法"}))
    assert refused.status_code == 200 and "本次没有保存" in refused.content.decode()
    child.refresh_from_db()
    assert (child.interests, child.current_address) == ("", "溆浦县桃源村5组")

    # Saving again from the refused page writes only the principal's change and keeps the teacher's.
    again = principal.post(url, archive_post(world, **shown_versions(refused), **{"child-interests": "书法"}))
    assert again.status_code == 302
    child.refresh_from_db()
    assert child.interests == "书法"
    assert child.current_address == "溆浦县桃源村5组"  # the teacher's correction is still there


def test_two_teachers_logging_talks_for_the_same_child_both_keep_theirs(world):
    # Logs are edited one at a time by their author; two teachers logging talks for the same child at the
    # same moment both keep theirs (the concurrency check covers the many-teachers case over HTTP).
    child = ChildFactory(school_class=world.school_class)
    PairingFactory(child=child, mentor=world.mentor)
    TalkFactory(child=child, author=world.mentor, text="第一次")
    teacher = Client()
    teacher.force_login(world.class_teacher)
    today = timezone.localdate().isoformat()
    data = {"date": today, "place": "office", "mood": "3", "text": "班主任的谈心"}
    assert teacher.post(reverse("mentoring:talk_create", args=[child.pk]), data).status_code == 302
    assert sorted(child.talks.values_list("text", flat=True)) == sorted(["第一次", "班主任的谈心"])
