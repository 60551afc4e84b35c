from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "perpetuum.sales"
    label = "sales"
