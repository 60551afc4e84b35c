from django.apps import AppConfig


class TimelineConfig(AppConfig):
    name = "perpetuum.timeline"
    label = "timeline"
