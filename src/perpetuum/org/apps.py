from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "perpetuum.org"
    label = "org"
