"""The daily reminder of overdue follow-up actions (registered with caretrack.notifications in
MentoringConfig.ready()): for each follow-up of an open case past its due day and not done, one message a day
to the person who is to do it and to the case's person responsible. Like everything that may leave the app,
it names the child as 王同学 with the class and a link, and never repeats what was written about the child."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from caretrack.names import child_alias
from caretrack.notifications import Message
from mentoring.case_services import case_url
from mentoring.selectors.cases import overdue_actions


def overdue_follow_ups(day: date) -> Iterator[Message]:
    """One query for every school's overdue follow-ups on `day`."""
    for action in overdue_actions(on=day):
        concern = action.concern
        child = concern.child
        where = f"（{child.school_class}）" if child.school_class_id else ""
        recipients = tuple(user for user in (action.who, concern.assigned_to) if user is not None)
        yield Message(
            key=f"case-action-overdue:{action.pk}:{day.isoformat()}",
            recipients=tuple(dict.fromkeys(recipients)),
            title=f"跟进逾期：{child_alias(child.name)}{where}",
            body=f"{concern.get_category_display()}个案的一项跟进事项已于{action.due_on:%m月%d日}到期，请尽快完成。",
            link=case_url(concern),
            urgent=concern.is_urgent,
        )
