"""Who may open the 学校设置 and county pages, walked as every persona (as tests/test_access.py does for
the whole site): everyone out of role gets 403 or 404, never a server error."""

from datetime import date

import pytest
from django.urls import reverse

from caretrack.models import LeadingGroupMember, Term
from tests.conftest import PERSONAS
from tests.factories import StaffFactory

MANAGERS = {"principal", "coordinator", "other_principal"}
OWN_MANAGERS = {"principal", "coordinator"}

# url name -> (allowed personas, object key or None, method)
RULES = {
    "school:index": (MANAGERS, None, "get"),
    "school:settings": ({"principal", "other_principal"}, None, "get"),
    "school:classes": (MANAGERS, None, "get"),
    "school:class_create": (MANAGERS, None, "get"),
    "school:class_head_teacher": (OWN_MANAGERS, "class", "post"),
    "school:class_enrolment": (OWN_MANAGERS, "class", "post"),
    "school:class_delete": (OWN_MANAGERS, "class", "post"),
    "school:terms": (MANAGERS, None, "get"),
    "school:term_create": (MANAGERS, None, "get"),
    "school:term_edit": (OWN_MANAGERS, "term", "get"),
    "school:term_make_current": ({"principal"}, "term", "post"),
    "school:leading_group": (MANAGERS, None, "get"),
    "school:leading_group_add": (MANAGERS, None, "get"),
    "school:leading_group_edit": (OWN_MANAGERS, "member", "get"),
    "school:leading_group_remove": (OWN_MANAGERS, "member", "post"),
    "county:schools": (set(), None, "get"),  # the bureau administrator only (not one of the personas)
    "county:school_create": (set(), None, "get"),
}


def _objects(world):
    return {
        "class": world.other_class,
        "term": Term.objects.create(
            school=world.school, start_year=2040, semester=1, start_date=date(2040, 9, 1), end_date=date(2041, 1, 31)
        ),
        "member": LeadingGroupMember.objects.create(school=world.school, user=world.mentor, position="member"),
    }


def _url(name, key, objects):
    return reverse(name, args=[objects[key].pk]) if key else reverse(name)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("url_name", sorted(RULES))
def test_school_pages_per_persona(client, world, persona, url_name):
    allowed, key, method = RULES[url_name]
    client.force_login(getattr(world, persona))
    response = getattr(client, method)(_url(url_name, key, _objects(world)))
    if persona in allowed:
        assert response.status_code in (200, 302), f"{persona} should reach {url_name}"
        if response.status_code == 302:
            assert "/accounts/login/" not in response["Location"]
    else:
        assert response.status_code in (403, 404), f"{persona} must not reach {url_name}, got {response.status_code}"


@pytest.mark.parametrize("url_name", ["county:schools", "county:school_create"])
def test_the_bureau_administrator_reaches_the_county_pages(client, world, url_name):
    admin = StaffFactory(school=None, is_bureau=True, is_bureau_admin=True, is_teacher=False).user
    client.force_login(admin)
    assert client.get(reverse(url_name)).status_code == 200
    assert client.get(reverse("school:index")).status_code == 403


@pytest.mark.parametrize("url_name", sorted(RULES))
def test_an_anonymous_visitor_is_sent_to_login(client, world, url_name):
    _, key, method = RULES[url_name]
    response = getattr(client, method)(_url(url_name, key, _objects(world)))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_school_page_offers_only_what_the_user_may_open(client, world):
    """升年级 is the principal's alone: the coordinator's 学校设置 does not offer a link that would answer 403."""
    pages = {}
    for user in (world.principal, world.coordinator):
        client.force_login(user)
        pages[user] = client.get(reverse("school:index")).content.decode()
    promotion, transfers = reverse("promotion:preview"), reverse("transfers:list")
    assert promotion in pages[world.principal] and transfers in pages[world.principal]
    assert promotion not in pages[world.coordinator] and transfers in pages[world.coordinator]
    client.force_login(world.coordinator)
    assert client.get(promotion).status_code == 403
