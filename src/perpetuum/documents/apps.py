from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "perpetuum.documents"
    label = "documents"
