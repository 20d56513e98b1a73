from django.apps import AppConfig
from django.core.management import call_command
from django.db.models.signals import post_migrate


def create_cache_table(*, using: str, **kwargs) -> None:
    # The cached figures live in the database by default (settings.CACHES): `migrate` makes their table, so
    # a new installation, a new app server and every test database have it without a separate step.
    call_command("createcachetable", database=using, verbosity=0)


class CaretrackConfig(AppConfig):
    """Organisation: schools, classes, terms, staff roles, the leading group and the audit log."""

    name = "caretrack"
    verbose_name = "学校与人员"

    def ready(self):
        post_migrate.connect(create_cache_table, sender=self, dispatch_uid="caretrack.create_cache_table")
