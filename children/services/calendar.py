"""Changes that follow from the calendar rather than from anyone's edit: a child leaves 留守 on the 16th
birthday (国发〔2016〕13号: 不满十六周岁). The figures already stop counting the child that day (the age is read
from the birth date); this closes the stored period and type so that the archive, the badges and the lists
of the apps above say the same. Run nightly by the `close_age_limit_periods` command."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from caretrack import audit
from caretrack.models import AuditAction, School
from children.models import LEFT_BEHIND_AGE_LIMIT, Child, LeftBehindPeriod, LeftBehindType, years_before
from children.services import AGE_LIMIT_END_REASON, last_left_behind_day, save_children_rows


@transaction.atomic
def close_periods_at_age_limit(*, on: date, acting_user=None) -> int:
    """End the open 留守 period of every child who is 16 on `on`: end_date the day before the 16th birthday,
    end_reason 年满16周岁, and the child's 留守类型 becomes 非留守 (with a history row). One audit row per
    school listing the children. Returns how many children changed; running it again changes nothing.
    `acting_user` is None for the nightly run (the audit row then has no user)."""
    sixteen_by = years_before(on, LEFT_BEHIND_AGE_LIMIT)  # born on or before this day: 16 on `on`
    periods = list(
        LeftBehindPeriod.objects.filter(end_date__isnull=True, child__birth_date__lte=sixteen_by)
        .select_related("child")
        .order_by("child_id")
    )
    for period in periods:
        period.end_date = max(period.start_date, last_left_behind_day(period.child.birth_date))
        period.end_reason = AGE_LIMIT_END_REASON
    LeftBehindPeriod.objects.bulk_update(periods, ["end_date", "end_reason"], batch_size=500)

    children = list(
        Child.objects.filter(birth_date__lte=sixteen_by)
        .exclude(left_behind_type=LeftBehindType.NOT_LEFT_BEHIND)
        .order_by("school_id", "pk")
    )
    for child in children:
        child.left_behind_type = LeftBehindType.NOT_LEFT_BEHIND
    save_children_rows(
        children=children, fields=["left_behind_type"], history_user=acting_user, reason=AGE_LIMIT_END_REASON
    )
    school_of = {c.pk: c.school_id for c in children} | {p.child_id: p.child.school_id for p in periods}
    by_school: dict[int, list[int]] = {}
    for child_id, school_id in sorted(school_of.items()):
        by_school.setdefault(school_id, []).append(child_id)
    schools = School.objects.in_bulk(by_school.keys())
    for school_id, ids in sorted(by_school.items()):
        audit.record(
            user=acting_user,
            action=AuditAction.CHANGE,
            target=f"留守状态结束（{AGE_LIMIT_END_REASON}）{len(ids)} 人",
            school=schools[school_id],
            reason=AGE_LIMIT_END_REASON,
            on=on.isoformat(),
            children=ids,
        )
    return len(school_of)
