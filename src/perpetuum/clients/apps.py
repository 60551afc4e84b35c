from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "perpetuum.clients"
    label = "clients"

    def ready(self) -> None:
        from perpetuum.clients.search import DOCUMENTS, search_refresh
        from perpetuum.core import search

        for model in DOCUMENTS:
            search.register(model, lambda ids, model=model: search_refresh(model, ids))
