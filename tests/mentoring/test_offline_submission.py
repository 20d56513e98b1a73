"""A log sent again from the phone's offline outbox is saved once: the form's client_key (made on the phone)
is remembered per author, a repeat is answered as saved, and the saved log's message carries the key so
the next page drops the draft and the outbox entry."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from caretrack.models import AuditAction, AuditEvent
from mentoring import services
from mentoring.models import HomeVisit, LogSubmission, Talk
from tests.factories import ChildFactory, PairingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def term_around_today(world):
    from caretrack.models import Term

    today = timezone.localdate()
    Term.objects.filter(school=world.school).update(
        start_date=today - timedelta(days=60), end_date=today + timedelta(days=60)
    )


@pytest.fixture
def child(world):
    child = ChildFactory(school_class=world.school_class, left_behind_type="both_away", name="王小花")
    PairingFactory(child=child, mentor=world.mentor, start_date=timezone.localdate() - timedelta(days=30))
    return child


def visit_post(key, **overrides):
    data = {
        "date": timezone.localdate().isoformat(),
        "kind": "opening",
        "met_whom": "奶奶王秀英",
        "text": "与奶奶交流孩子在家的学习情况。",
        "client_key": str(key),
    }
    data.update(overrides)
    return data


def test_a_visit_sent_twice_with_its_key_is_saved_once_and_both_answers_say_saved(client, world, child):
    client.force_login(world.mentor)
    url = reverse("mentoring:visit_create", args=[child.pk])
    key = uuid.uuid4()
    first = client.post(url, visit_post(key), follow=True)
    again = client.post(url, visit_post(key), follow=True)
    for response in (first, again):
        html = response.content.decode()
        assert response.redirect_chain[-1][0] == reverse("mentoring:my_students")
        assert "已保存 王小花 的家访记录" in html and f'data-message-tags="saved-key-{key}"' in html
    assert HomeVisit.objects.filter(child=child).count() == 1
    assert LogSubmission.objects.get(author=world.mentor, key=key).log == HomeVisit.objects.get()
    creations = AuditEvent.objects.filter(action=AuditAction.CREATE, target__startswith="家访记录")
    assert creations.count() == 1


def test_without_a_key_a_double_tap_is_still_refused(client, world, child):
    """A browser without the script sends no key: the old duplicate check answers as before."""
    client.force_login(world.mentor)
    url = reverse("mentoring:visit_create", args=[child.pk])
    assert client.post(url, visit_post("")).status_code == 302
    second = client.post(url, visit_post(""))
    assert second.status_code == 200 and "请勿重复提交" in second.content.decode()
    assert HomeVisit.objects.count() == 1 and not LogSubmission.objects.exists()


def test_the_key_is_the_authors_own(world, child):
    """Another teacher's log made with the same key is a log of its own, not a repeat of the first."""
    PairingFactory(
        child=child, mentor=world.class_teacher, is_secondary=True, start_date=timezone.localdate() - timedelta(days=3)
    )
    key = uuid.uuid4()
    data = {"date": timezone.localdate(), "text": "聊了学习。"}
    mine = services.create_log(model=Talk, child=child, data=dict(data), author=world.mentor, client_key=key)
    theirs = services.create_log(
        model=Talk, child=child, data={**data, "text": "聊了家人。"}, author=world.class_teacher, client_key=key
    )
    assert mine.pk != theirs.pk and Talk.objects.count() == 2
    again = services.create_log(model=Talk, child=child, data=dict(data), author=world.mentor, client_key=key)
    assert again.pk == mine.pk and Talk.objects.count() == 2


def test_a_repeat_a_day_later_is_still_the_saved_log(world, child):
    """The outbox may send a visit queued yesterday after midnight, or after the log date would be refused."""
    key = uuid.uuid4()
    day = timezone.localdate()
    first = services.create_log(
        model=Talk, child=child, data={"date": day, "text": "聊了学习。"}, author=world.mentor, client_key=key
    )
    later = services.create_log(
        model=Talk, child=child, data={"date": day, "text": "聊了学习。"}, author=world.mentor, client_key=key,
        today=day + timedelta(days=400),
    )  # fmt: skip
    assert later.pk == first.pk and Talk.objects.count() == 1


def test_a_refused_form_keeps_its_key_for_the_next_try(client, world, child):
    client.force_login(world.mentor)
    url = reverse("mentoring:visit_create", args=[child.pk])
    key = uuid.uuid4()
    refused = client.post(url, visit_post(key, met_whom=""))
    html = refused.content.decode()
    assert refused.status_code == 200 and "请填写接待人" in html and f'value="{key}"' in html
    assert not HomeVisit.objects.exists() and not LogSubmission.objects.exists()
    assert client.post(url, visit_post(key)).status_code == 302
    assert HomeVisit.objects.count() == 1


def test_a_malformed_key_saves_as_an_ordinary_form(client, world, child):
    client.force_login(world.mentor)
    response = client.post(reverse("mentoring:visit_create", args=[child.pk]), visit_post("not-a-uuid"))
    assert response.status_code == 302 and HomeVisit.objects.count() == 1 and not LogSubmission.objects.exists()


def test_the_form_carries_what_the_drafts_script_needs(client, world, child):
    client.force_login(world.mentor)
    html = client.get(reverse("mentoring:visit_create", args=[child.pk])).content.decode()
    assert f'data-user="{world.mentor.pk}"' in html
    assert f'data-draft="{child.pk}:visit"' in html and "data-outbox" in html and 'name="client_key"' in html
    assert "js/drafts.js" in html and "js/offline.js" in html and "data-bound" not in html


def test_the_edit_form_keeps_a_draft_but_has_no_outbox(client, world, child):
    client.force_login(world.mentor)
    talk = services.create_log(
        model=Talk, child=child, data={"date": timezone.localdate(), "text": "聊了学习。"}, author=world.mentor
    )
    html = client.get(reverse("mentoring:talk_edit", args=[talk.pk])).content.decode()
    assert f'data-draft="{child.pk}:talk:{talk.pk}"' in html
    assert "data-outbox" not in html and 'name="client_key"' not in html
