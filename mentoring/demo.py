"""Demo pairings (and, as mentoring grows, a term of logs) for a demo school."""

from datetime import date

from caretrack.models import Gender, StaffProfile
from children.models import Child, LeftBehindType
from mentoring.models import ExternalMentor, Pairing, PairingRole

EXTERNAL_ORGS = ["县妇联", "镇关工委", "村委会", "退休教师协会", "县团委青年志愿者"]


def seed_pairings(*, school, term, rng, today: date) -> None:
    """Pair about 93% of left-behind children: staff first (2–3 children each, the school limit), then
    external volunteers; the rest stay on the 待结对 list."""
    children = list(
        Child.objects.filter(school=school)
        .exclude(left_behind_type=LeftBehindType.NOT_LEFT_BEHIND)
        .select_related("school_class")
        .order_by("school_class__grade", "pk")
    )
    rng.shuffle(children)
    limit = school.max_children_per_mentor
    staff = list(StaffProfile.objects.filter(school=school, is_teacher=True).select_related("user").order_by("pk"))
    # The named demo mentor gets exactly three children so the phone view has something to show.
    slots = []
    for profile in staff:
        slots += [profile] * (limit if rng.random() < 0.6 or profile.user.username == "bangfu" else limit - 1)
    pairings = []
    to_pair = children[: int(len(children) * 0.93)]
    for child, profile in zip(to_pair, slots, strict=False):
        role = PairingRole.CARING_MOTHER if profile.gender == Gender.FEMALE else PairingRole.CARING_FATHER
        pairings.append(Pairing(child=child, mentor=profile.user, role=role, start_date=term.start_date))
    rest = to_pair[len(pairings) :]
    externals = []
    for _ in range(0, len(rest), limit):
        externals.append(
            ExternalMentor(
                school=school,
                name=f"{rng.choice('王李张刘陈杨黄赵吴周')}{rng.choice(['桂芳', '秀兰', '建军', '春燕', '德华'])}",
                organisation=rng.choice(EXTERNAL_ORGS),
                phone=f"139{rng.randrange(10**8):08d}",
            )
        )
    ExternalMentor.objects.bulk_create(externals)
    for i, child in enumerate(rest):
        pairings.append(
            Pairing(
                child=child,
                external_mentor=externals[i // limit],
                role=PairingRole.PROXY_PARENT,
                start_date=term.start_date,
            )
        )
    Pairing.objects.bulk_create(pairings, batch_size=1000)


def seed(*, school, term, rng, today: date) -> None:
    seed_pairings(school=school, term=term, rng=rng, today=today)
