"""Reads of our own organisation: legal entities, offices and teams, to pick and filter by."""

from __future__ import annotations

from typing import Any

from perpetuum.org.models import LegalEntity, Office, Team

CHOICES_SHOWN = 500


def legal_entity_choices(user: Any) -> list[LegalEntity]:
    """Our legal entities, by name; every signed-in user may see our own structure."""
    if not user.is_authenticated:
        return []
    return list(LegalEntity.objects.order_by("name", "pk")[:CHOICES_SHOWN])


def office_choices(user: Any) -> list[Office]:
    if not user.is_authenticated:
        return []
    return list(Office.objects.order_by("name", "pk")[:CHOICES_SHOWN])


def team_choices(user: Any) -> list[Team]:
    if not user.is_authenticated:
        return []
    return list(Team.objects.order_by("name", "pk")[:CHOICES_SHOWN])
