from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "perpetuum.clients"
    label = "clients"
