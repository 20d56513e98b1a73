from django.apps import AppConfig


class MentoringConfig(AppConfig):
    name = "mentoring"
    verbose_name = "结对帮扶"

    def ready(self):
        """What pairings and logs contribute to the layers below (which never import this app)."""
        from caretrack.permissions import register_mentor_test
        from children import carers, chronology, completeness
        from children.permissions import register_child_scope
        from mentoring import carers as mentoring_carers
        from mentoring import chronology as mentoring_chronology
        from mentoring.completeness import PAIRING_REQUIREMENT
        from mentoring.permissions import children_paired_to, is_mentor_today

        register_mentor_test(is_mentor_today)
        register_child_scope(children_paired_to)
        completeness.register(PAIRING_REQUIREMENT)
        chronology.register(mentoring_chronology.log_entries)
        carers.register_carers(mentoring_carers.mentors_of)
        for action in mentoring_carers.LOG_ACTIONS:
            carers.register_action(action)
