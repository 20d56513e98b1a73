from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "统计报表"

    def ready(self):
        from caretrack import demo, navigation
        from caretrack.navigation import HomePage, NavItem
        from caretrack.notifications import register_reminder_source
        from caretrack.permissions import is_bureau, manages_school
        from reports import demo as reports_demo
        from reports.digest import weekly_digests

        demo.register_seed(reports_demo.seed)
        register_reminder_source(weekly_digests)
        navigation.register(NavItem("统计", "reports:dashboard", "bi-bar-chart", manages_school, position=60))
        navigation.register(NavItem("县域概览", "reports:county", "bi-building", is_bureau, position=70))
        navigation.register_home(HomePage("reports:county", is_bureau, priority=10))
        navigation.register_home(HomePage("reports:dashboard", manages_school, priority=20))
