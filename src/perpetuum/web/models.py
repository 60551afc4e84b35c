"""The workspace's own tables: the list views a user saved."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SavedView(models.Model):
    """A named set of filters and a sort on one list, saved by a user for later.

    `query` is the list's query string without its cursor (e.g. `stage=customer&sort=-name`).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    list_name = models.CharField(_("list"), max_length=30)
    name = models.CharField(_("name"), max_length=100)
    query = models.CharField(_("filters"), max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "list_name", "name"], name="saved_view_name_unique"
            )
        ]
        indexes = [models.Index(fields=["user", "list_name", "name"])]

    def __str__(self) -> str:
        return self.name
