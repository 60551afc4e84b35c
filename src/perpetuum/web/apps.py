from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "perpetuum.web"
    label = "web"
