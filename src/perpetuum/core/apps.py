from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "perpetuum.core"
    label = "core"
