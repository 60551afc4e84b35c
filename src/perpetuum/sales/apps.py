from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "perpetuum.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self) -> None:
        # The guard's own problem providers register themselves on import.
        from perpetuum.sales import guard  # noqa: F401
