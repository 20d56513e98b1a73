from django.apps import AppConfig


class ChildrenConfig(AppConfig):
    name = "children"
    verbose_name = "学生档案"

    def ready(self):
        """What the archive contributes to the core (which never imports this app)."""
        from caretrack import backup, demo, navigation, rollover, school_links
        from caretrack.navigation import NavItem
        from caretrack.permissions import manages_school, works_with_children
        from caretrack.school_links import SchoolLink
        from children import rollover as archive_rollover
        from children.demo import seed_archive
        from children.models import Child
        from children.permissions import can_promote_school

        demo.register(seed_archive)
        backup.register_data_model(Child)
        rollover.register(archive_rollover.STATUS_PROVIDER)
        rollover.register(archive_rollover.ARCHIVE_PROVIDER)
        for link in (
            SchoolLink("升年级", "promotion:preview", "bi-arrow-up-circle", can_promote_school, 10),
            SchoolLink("转学", "transfers:list", "bi-arrow-left-right", manages_school, 20),
        ):
            school_links.register(link)
        navigation.register(NavItem("学生档案", "children:list", "bi-person-vcard", works_with_children, position=20))
        navigation.register(
            NavItem("导入导出", "children:import", "bi-file-earmark-spreadsheet", manages_school, position=80)
        )
