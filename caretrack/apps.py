from django.apps import AppConfig


class CaretrackConfig(AppConfig):
    """Organisation: schools, classes, terms, staff roles, the leading group and the audit log."""

    name = "caretrack"
    verbose_name = "学校与人员"
