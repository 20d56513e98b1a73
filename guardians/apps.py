from django.apps import AppConfig


class GuardiansConfig(AppConfig):
    name = "guardians"
    verbose_name = "家庭与监护"
