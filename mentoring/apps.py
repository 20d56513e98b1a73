from django.apps import AppConfig


class MentoringConfig(AppConfig):
    name = "mentoring"
    verbose_name = "结对帮扶"

    def ready(self):
        """What pairings and logs contribute to the layers below (which never import this app)."""
        from caretrack import demo, lifecycle, navigation, rollover
        from caretrack.navigation import HomePage, NavItem
        from caretrack.notifications import register_reminder_source
        from caretrack.permissions import manages_school, register_mentor_condition, works_with_children
        from caretrack.tasks import register_task_source
        from children import carers, chronology
        from children import lifecycle as archive_lifecycle
        from children.exports import register_roster_columns
        from children.permissions import register_child_scope
        from mentoring import carers as mentoring_carers
        from mentoring import case_reminders, case_tasks
        from mentoring import chronology as mentoring_chronology
        from mentoring import demo as mentoring_demo
        from mentoring import lifecycle as mentoring_lifecycle
        from mentoring import reminders as mentoring_reminders
        from mentoring import rollover as mentoring_rollover
        from mentoring import tasks as mentoring_tasks
        from mentoring.exports import roster_columns
        from mentoring.permissions import children_paired_to, mentors_today
        from mentoring.selectors.cases import open_case_count

        demo.register_seed(mentoring_demo.seed)
        register_mentor_condition(mentors_today)
        register_child_scope(children_paired_to)
        chronology.register(mentoring_chronology.SOURCE)
        register_roster_columns(roster_columns)
        lifecycle.register_staff_leaving(mentoring_lifecycle.mentor_left)
        archive_lifecycle.register_leaving(mentoring_lifecycle.children_left)
        archive_lifecycle.register_returning(mentoring_lifecycle.children_returned)
        rollover.register(mentoring_rollover.PROVIDER)
        carers.register_carers(mentoring_carers.mentors_of)
        for action in mentoring_carers.LOG_ACTIONS:
            carers.register_action(action)
        navigation.register(NavItem("我的学生", "mentoring:my_students", "bi-people", works_with_children, position=10))
        navigation.register(
            NavItem(
                "待处理",
                "mentoring:concerns",
                "bi-exclamation-triangle",
                manages_school,
                position=30,
                count=open_case_count,
            )
        )
        register_reminder_source(case_reminders.overdue_follow_ups)
        register_task_source(case_tasks.case_tasks)
        register_reminder_source(mentoring_reminders.overdue_log_reminders)
        register_task_source(mentoring_tasks.overdue_log_tasks)
        navigation.register(NavItem("结对帮扶", "mentoring:pairings", "bi-link-45deg", manages_school, position=40))
        navigation.register_home(HomePage("mentoring:my_students", works_with_children, priority=30))
