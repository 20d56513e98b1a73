from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = "活动与资助"

    def ready(self):
        """What activities contribute to the layers below (which never import this app)."""
        from activities import chronology as activities_chronology
        from activities import demo as activities_demo
        from caretrack import demo, navigation
        from caretrack.navigation import NavItem
        from caretrack.permissions import works_with_children
        from children import chronology

        chronology.register(activities_chronology.SOURCE)
        demo.register_seed(activities_demo.seed)
        navigation.register(NavItem("活动", "activities:list", "bi-calendar-event", works_with_children, position=50))
