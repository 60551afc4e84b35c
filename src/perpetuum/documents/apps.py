from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "perpetuum.documents"
    label = "documents"

    def ready(self) -> None:
        from perpetuum.clients.services import register_merge_hook
        from perpetuum.documents.services import account_documents_move

        register_merge_hook(
            "account",
            lambda other, survivor: account_documents_move(from_account=other, to_account=survivor),
        )
