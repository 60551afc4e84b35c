from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "perpetuum.surveys"
    label = "surveys"
