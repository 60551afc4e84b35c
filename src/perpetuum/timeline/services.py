"""Every write to the timeline: log what happened, plan what will, complete or cancel it,
and take in channel events idempotently."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from perpetuum.clients.models import Account, Contact, Lead
from perpetuum.core import access
from perpetuum.core.errors import Conflict
from perpetuum.core.ownership import apply_ownership, require, require_create, resolve_owner
from perpetuum.core.services import record_create, record_delete, record_restore, record_update
from perpetuum.sales.models import Deal
from perpetuum.timeline.models import Interaction

INTERACTION_FIELDS = [
    "kind",
    "channel",
    "direction",
    "status",
    "occurred_at",
    "due_at",
    "subject",
    "body",
    "reason",
    "is_complaint",
    "is_resolved",
    "account",
    "contact",
    "lead",
    "deal",
]


def _interaction_derive(interaction: Interaction) -> None:
    """Check that the kind, status and times agree, and fill what follows from them."""
    errors: dict[str, list[str]] = {}
    if interaction.status == Interaction.Status.PLANNED and interaction.due_at is None:
        errors["due_at"] = ["A planned interaction needs a due date."]
    if interaction.status == Interaction.Status.DONE and interaction.occurred_at is None:
        interaction.occurred_at = timezone.now()
    if interaction.kind == Interaction.Kind.DECISION and not interaction.reason.strip():
        errors["reason"] = ["A decision records its reason."]
    if not (
        interaction.account_id
        or interaction.contact_id
        or interaction.lead_id
        or interaction.deal_id
    ):
        errors["account_id"] = ["Link the interaction to an account, a contact or a lead."]
    if errors:
        raise ValidationError(errors)
    if interaction.deal_id and not interaction.account_id:
        interaction.account_id = (
            Deal.all_objects.filter(pk=interaction.deal_id).values_list("account_id", flat=True)
        ).first()
    if interaction.contact_id and not interaction.account_id:
        interaction.account_id = (
            Contact.all_objects.filter(pk=interaction.contact_id)
            .values_list("account_id", flat=True)
            .first()
        )
    interaction.at = interaction.occurred_at or interaction.due_at


def _links_in_scope(actor: Any, data: dict[str, Any]) -> dict[str, Any]:
    """Turn `account_id`, `contact_id`, `lead_id`, `deal_id` into records the actor may
    read."""
    data = dict(data)
    links = (("account", Account), ("contact", Contact), ("lead", Lead), ("deal", Deal))
    for name, model in links:
        key = f"{name}_id"
        if key not in data:
            continue
        record_id = data.pop(key)
        if record_id is None:
            data[name] = None
            continue
        found = access.scoped(actor, model.objects.filter(pk=record_id)).first()
        if found is None:
            raise ValidationError({key: [f"There is no such {name}."]})
        data[name] = found
    return data


def _taken_in(actor: Any, source: str, external_id: str) -> Interaction | None:
    """The channel event already stored under this id; one the actor may not read is not
    handed out, only refused."""
    existing = Interaction.all_objects.filter(source=source, external_id=external_id).first()
    if existing is not None and not access.can(actor, "read", existing):
        raise Conflict("This event was already taken in.")
    return existing


def interaction_create(*, actor: Any, data: dict[str, Any]) -> tuple[Interaction, bool]:
    """Log or plan an interaction. With a `source` and an `external_id`, an event already
    taken in is returned as it is: (interaction, created)."""
    require_create(actor, "interaction")
    links = {"account_id", "contact_id", "lead_id", "deal_id", "owner_id"}
    unknown = set(data) - {*INTERACTION_FIELDS, *links, "source", "external_id"}
    if unknown:
        raise ValueError(f"fields not allowed: {sorted(unknown)}")
    data = _links_in_scope(actor, data)
    owner = resolve_owner(actor=actor, entity="interaction", owner_id=data.pop("owner_id", None))
    source, external_id = data.get("source", ""), data.get("external_id")
    if external_id:
        existing = _taken_in(actor, source, external_id)
        if existing is not None:
            return existing, False
    interaction = Interaction(**data)
    interaction.author = actor if getattr(actor, "is_authenticated", False) else None
    apply_ownership(interaction, owner)
    try:
        with transaction.atomic():
            _interaction_derive(interaction)
            record_create(actor=actor, instance=interaction)
    except IntegrityError:
        # Two deliveries of one channel event raced; the first one won.
        existing = _taken_in(actor, source, external_id)
        if existing is None:
            raise
        return existing, False
    return interaction, True


def interaction_update(
    *,
    actor: Any,
    interaction: Interaction,
    data: dict[str, Any],
    expected_version: int | None,
) -> Interaction:
    require(actor, "write", interaction)
    data = _links_in_scope(actor, data)
    allowed = list(INTERACTION_FIELDS)
    if "owner_id" in data:
        owner = resolve_owner(
            actor=actor,
            entity="interaction",
            owner_id=data.pop("owner_id"),
            current=interaction.owner,
        )
        probe = Interaction()
        apply_ownership(probe, owner)
        data.update(
            {name: getattr(probe, name) for name in ("owner", "team", "office", "legal_entity")}
        )
        allowed += ["owner", "team", "office", "legal_entity"]
    return record_update(
        actor=actor,
        instance=interaction,
        data=data,
        allowed=allowed,
        expected_version=expected_version,
        before_save=_interaction_derive,
    )


def interaction_delete(
    *, actor: Any, interaction: Interaction, expected_version: int | None = None
) -> Interaction:
    require(actor, "write", interaction)
    return record_delete(actor=actor, instance=interaction, expected_version=expected_version)


def interaction_restore(*, actor: Any, interaction: Interaction) -> Interaction:
    require(actor, "write", interaction)
    return record_restore(actor=actor, instance=interaction)


def interactions_move_from_lead(*, lead: Lead, contact: Contact, account: Account | None) -> int:
    """Attach a converted lead's history to its contact and account (the lead link stays)."""
    return Interaction.all_objects.filter(lead=lead).update(
        contact=contact, account=account, updated_at=timezone.now()
    )


def system_note(
    *,
    actor: Any,
    subject: str,
    account: Account | None = None,
    contact: Contact | None = None,
    lead: Lead | None = None,
    body: str = "",
) -> Interaction:
    """A system entry on the timeline, written by Perpetuum on behalf of the actor."""
    interaction = Interaction(
        kind=Interaction.Kind.SYSTEM,
        status=Interaction.Status.DONE,
        occurred_at=timezone.now(),
        subject=subject[:300],
        body=body,
        account=account,
        contact=contact,
        lead=lead,
        author=actor if getattr(actor, "is_authenticated", False) else None,
    )
    apply_ownership(interaction, actor if getattr(actor, "is_authenticated", False) else None)
    _interaction_derive(interaction)
    return record_create(actor=actor, instance=interaction)
