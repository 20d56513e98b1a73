"""What the school knows about its families, for scrubbing the bureau copy (reports.privacy.scrub)."""

from caretrack.models import School
from children.models import Child, Grandparent, Guardian, Parent
from reports.privacy import SchoolKnowledge


def school_knowledge(school: School) -> SchoolKnowledge:
    """Every name and stored address of the school's children (whatever their status: a transferred child
    is still a child of this school's stories) and of their parents, grandparents and guardians, past
    guardians included. Four queries, however many children."""
    child_names, addresses = set(), set()
    for name, hukou, current in Child.objects.filter(school=school).values_list(
        "name", "hukou_address", "current_address"
    ):  # query 1: the children
        child_names.add(name)
        addresses.update((hukou, current))
    adult_names = set(Parent.objects.filter(child__school=school).values_list("name", flat=True))  # query 2
    adult_names.update(Grandparent.objects.filter(child__school=school).values_list("name", flat=True))  # query 3
    for name, address in Guardian.objects.filter(child__school=school).values_list("name", "address"):  # query 4
        adult_names.add(name)
        addresses.add(address)
    return SchoolKnowledge(
        child_names=frozenset(n.strip() for n in child_names if n and n.strip()),
        adult_names=frozenset(n.strip() for n in adult_names if n and n.strip()),
        addresses=frozenset(a.strip() for a in addresses if a and a.strip()),
    )
