"""The coordinator's lists: the mentor board, 待结对, mentor options and proposals (cases: selectors.cases)."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from caretrack.models import School, StaffProfile
from children.models import Child
from mentoring.models import (
    Pairing,
)
from mentoring.selectors.status import ChildStatus, child_statuses

# --- The coordinator's lists ----------------------------------------------------------------------


@dataclass
class MentorRow:
    name: str
    is_external: bool
    organisation: str
    statuses: list[ChildStatus] = field(default_factory=list)
    pairings: list = field(default_factory=list)
    # All the mentor's children, when the board shows only some of them (a search); else len(pairings).
    total: int | None = None

    @property
    def load(self) -> int:
        return len(self.pairings) if self.total is None else self.total

    @property
    def overdue(self) -> int:
        """Children with at least one overdue badge."""
        return sum(1 for s in self.statuses if s.overdue)

    @property
    def due(self) -> int:
        """Children with something still to do this week/month/term, none of it overdue."""
        return sum(1 for s in self.statuses if s.due and not s.overdue)


# The columns the board shows, of each child and each pairing (with its mentor's name).
BOARD_CHILD_FIELDS = ("name", "name_initials", "school", "school_class__grade", "school_class__number")
BOARD_PAIRING_FIELDS = (
    *("child", "role", "is_secondary", "start_date", "end_date"),
    *("mentor__first_name", "mentor__last_name", "mentor__username"),
    *("external_mentor__name", "external_mentor__organisation"),
)


def mentor_board(*, school: School, on: date, pairings: QuerySet | None = None) -> list[MentorRow]:
    """Every mentor of the school with their children (still on the roll) and badges (5 queries). With
    `pairings` (a search on the board), only those of them, each mentor's load still counting all their
    children (one query more)."""
    carried = Pairing.objects.carried_on(on).filter(child__school=school)
    shown = carried if pairings is None else carried.filter(pk__in=pairings.values("pk"))
    pairings = list(
        shown.select_related("mentor", "external_mentor")
        .only(*BOARD_PAIRING_FIELDS)
        .order_by("mentor__first_name", "external_mentor__name", "child__name_initials")
    )
    # Only the columns the board shows: a school's few hundred children are read whole on no other page.
    children = Child.objects.filter(pk__in=[p.child_id for p in pairings]).only(*BOARD_CHILD_FIELDS)
    statuses = {s.child.pk: s for s in child_statuses(children, school=school, on=on, with_pairings=False)}
    for p in pairings:
        p.child = statuses[p.child_id].child
    rows: dict[tuple, MentorRow] = {}
    for p in pairings:
        key = ("u", p.mentor_id) if p.mentor_id else ("x", p.external_mentor_id)
        row = rows.get(key)
        if row is None:
            row = rows[key] = MentorRow(
                name=p.mentor_name,
                is_external=not p.mentor_id,
                organisation=p.external_mentor.organisation if p.external_mentor_id else "",
            )
        row.pairings.append(p)
        row.statuses.append(statuses[p.child_id])
    if shown is not carried and rows:
        loads = carried.order_by().values("mentor_id", "external_mentor_id").annotate(n=Count("pk"))
        totals = {("u", r["mentor_id"]) if r["mentor_id"] else ("x", r["external_mentor_id"]): r["n"] for r in loads}
        for key, row in rows.items():
            row.total = totals.get(key, len(row.pairings))
    return sorted(rows.values(), key=lambda r: (-r.overdue, r.is_external, r.name))


def unpaired_children(*, school: School, on: date) -> QuerySet:
    """待结对: enrolled children in our care on `on` (留守, 困境, 事实无人抚养) without a (first) mentor carrying on
    after `on`: a child whose mentor left, or whose pairing was ended, on `on` is waiting again that day."""
    return (
        Child.objects.filter(school=school)
        .enrolled()
        .in_care_on(on)
        .exclude(Exists(Pairing.objects.carried_on(on).filter(child=OuterRef("pk"), is_secondary=False)))
        .select_related("school_class__head_teacher")
        .order_by("school_class__grade", "school_class__number", "name_initials", "pk")
    )


def pairable_children(*, school: School, on: date) -> QuerySet:
    """The children a coordinator may pair on `on`: enrolled and in our care (留守, 困境, 事实无人抚养), in class and
    name order. The 新建结对 form validates against it and its picker searches it."""
    return (
        Child.objects.filter(school=school)
        .enrolled()
        .in_care_on(on)
        .select_related("school_class")
        .order_by("school_class__grade", "school_class__number", "name_initials", "pk")
    )


@dataclass(frozen=True)
class MentorOption:
    user_id: int
    name: str
    load: int
    gender: str


def mentor_options(*, school: School, on: date) -> list[MentorOption]:
    """Teachers of the school with how many children (still on the roll) each has now, fewest first (one
    query)."""
    running = (
        Pairing.objects.carried_on(on)
        .filter(mentor=OuterRef("user"))
        .order_by()
        .values("mentor")
        .annotate(c=Count("pk"))
        .values("c")
    )
    load = Coalesce(Subquery(running, output_field=IntegerField()), Value(0))
    profiles = (
        StaffProfile.objects.filter(school=school, is_teacher=True, user__is_active=True)
        .annotate(load=load)
        .select_related("user")
        .order_by("load", "user__first_name", "pk")
    )
    return [
        MentorOption(p.user_id, p.user.get_full_name() or p.user.get_username(), p.load, p.gender) for p in profiles
    ]


def suggestions_for(child: Child, options: list[MentorOption], limit: int, size: int = 4) -> list[MentorOption]:
    """The child's own class teacher first (if under the limit), then the least loaded teachers."""
    head = child.school_class.head_teacher_id
    under = [o for o in options if o.load < limit]
    first = [o for o in under if o.user_id == head]
    return first + [o for o in under if o.user_id != head][: size - len(first)]


def plan_pairings(children: list[Child], options: list[MentorOption], limit: int) -> dict[int, int]:
    """A first proposal for the whole 待结对 list (child id → teacher id), giving out places one child
    at a time so that nobody goes over the limit: the class teacher if they have room, else the
    teacher with the fewest children. Children left out of the plan have no teacher with room."""
    load = {o.user_id: o.load for o in options}
    plan = {}
    for child in children:
        head = child.school_class.head_teacher_id
        if head in load and load[head] < limit:
            choice = head
        else:
            candidates = [pk for pk, n in load.items() if n < limit]
            if not candidates:
                continue
            choice = min(candidates, key=lambda pk: load[pk])
        plan[child.pk] = choice
        load[choice] += 1
    return plan


def ended_pairings(*, school: School, limit: int = 30) -> list[Pairing]:
    """The school's most recently ended pairings with their reason, for the pairings page (one query)."""
    return list(
        Pairing.objects.filter(child__school=school, end_date__isnull=False)
        .select_related("child__school_class", "mentor", "external_mentor")
        .order_by("-end_date", "-pk")[:limit]
    )
