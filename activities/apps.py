from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = "活动与资助"

    def ready(self):
        """What activities contribute to the layers below (which never import this app)."""
        from activities import chronology as activities_chronology
        from children import chronology

        chronology.register(activities_chronology.entries)
