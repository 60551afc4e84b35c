"""Every write to accounts, contacts and leads: create, update, delete, restore, convert a
lead, reassign a leaving user's clients."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from perpetuum.clients.duplicates import account_name_key, contact_name_key
from perpetuum.clients.models import Account, Contact, ContactRole, Lead
from perpetuum.core import access
from perpetuum.core.audit import audit
from perpetuum.core.customfields import clean_custom_values
from perpetuum.core.errors import Conflict, PermissionDenied, VersionConflict
from perpetuum.core.models import Tag
from perpetuum.core.normalize import (
    normalize_email,
    normalize_emails,
    normalize_phone,
    normalize_phones,
    normalize_tax_id,
)
from perpetuum.core.ownership import apply_ownership, require, require_create, resolve_owner
from perpetuum.core.services import record_create, record_delete, record_restore, record_update
from perpetuum.timeline.models import Interaction
from perpetuum.timeline.services import interactions_move_from_lead, system_note

ACCOUNT_FIELDS = [
    "name",
    "legal_name",
    "country",
    "tax_id",
    "kpp",
    "industry",
    "size",
    "website",
    "city",
    "addresses",
    "emails",
    "phones",
    "parent",
    "stage",
    "tags",
    "custom",
]
CONTACT_FIELDS = [
    "first_name",
    "middle_name",
    "last_name",
    "emails",
    "phones",
    "language",
    "tags",
    "custom",
]
LEAD_FIELDS = [
    "first_name",
    "last_name",
    "company_name",
    "job_title",
    "email",
    "phone",
    "tax_id",
    "country",
    "description",
    "status",
    "source_channel",
    "campaign",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "tags",
    "custom",
]
OWNERSHIP_FIELDS = ["owner", "team", "office", "legal_entity"]


def _tags(tag_ids: list[int] | None) -> list[Tag]:
    if not tag_ids:
        return []
    tags = list(Tag.objects.filter(pk__in=tag_ids))
    missing = set(tag_ids) - {tag.pk for tag in tags}
    if missing:
        raise ValidationError({"tag_ids": [f"No such tags: {sorted(missing)}."]})
    return tags


def _only(data: dict[str, Any], allowed: list[str]) -> None:
    """Refuse fields a create may not set (version, timestamps, scope columns...)."""
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValueError(f"fields not allowed: {sorted(unknown)}")


def _split(data: dict[str, Any]) -> tuple[dict[str, Any], int | None, bool]:
    """Pull `owner_id` out of the input; `has_owner` tells whether it was sent at all."""
    data = dict(data)
    has_owner = "owner_id" in data
    owner_id = data.pop("owner_id", None)
    if "tag_ids" in data:
        data["tags"] = _tags(data.pop("tag_ids"))
    if "parent_id" in data:
        data["parent"] = data.pop("parent_id")
    return data, owner_id, has_owner


# --- Accounts ------------------------------------------------------------------------------


def _account_derive(account: Account) -> None:
    """Normalise contact points and tax id, and keep `root` in step with `parent`."""
    account.emails = normalize_emails(account.emails or [])
    account.phones = normalize_phones(account.phones or [], account.country or None)
    account.email = account.emails[0] if account.emails else ""
    account.phone = account.phones[0] if account.phones else ""
    account.country = (account.country or "").upper()
    try:
        account.tax_id = normalize_tax_id(account.tax_id or "", account.country)
    except ValidationError as error:
        raise ValidationError({"tax_id": error.messages}) from error
    account.custom = clean_custom_values("account", account.custom)
    account.name_key = account_name_key(account.name)
    account.root_id = _root_of(account)


def _root_of(account: Account) -> int | None:
    """The top of the holding; refuses a parent chain that comes back to the account."""
    if not account.parent_id:
        return account.pk
    seen = {account.pk} if account.pk else set()
    node_id: int | None = account.parent_id
    root_id = node_id
    while node_id is not None:
        if node_id in seen:
            raise ValidationError({"parent_id": ["An account cannot be its own holding parent."]})
        seen.add(node_id)
        root_id = node_id
        node_id = Account.all_objects.filter(pk=node_id).values_list("parent_id", flat=True).first()
        if len(seen) > 50:
            raise ValidationError({"parent_id": ["The holding is deeper than 50 levels."]})
    return root_id


def _parent_in_scope(actor: Any, data: dict[str, Any]) -> None:
    parent = data.get("parent")
    if parent is None or isinstance(parent, Account):
        return
    found = access.scoped(actor, Account.objects.filter(pk=parent)).first()
    if found is None:
        raise ValidationError({"parent_id": ["There is no such account."]})
    data["parent"] = found


def account_create(*, actor: Any, data: dict[str, Any]) -> Account:
    """Create an account owned by the actor (or by `owner_id`, where the role allows)."""
    require_create(actor, "account")
    data, owner_id, _ = _split(data)
    _only(data, ACCOUNT_FIELDS)
    _parent_in_scope(actor, data)
    tags = data.pop("tags", [])
    owner = resolve_owner(actor=actor, entity="account", owner_id=owner_id)
    account = Account(**data)
    apply_ownership(account, owner)
    with transaction.atomic():
        _account_derive(account)
        account = record_create(actor=actor, instance=account, many_to_many={"tags": tags})
        if account.root_id is None:
            account.root_id = account.pk
            Account.all_objects.filter(pk=account.pk).update(root_id=account.pk)
    return account


def account_update(
    *,
    actor: Any,
    account: Account,
    data: dict[str, Any],
    expected_version: int | None,
    audit_action: str | None = "update",
) -> Account:
    """Change an account's allowed fields; a new parent moves the whole sub-holding."""
    require(actor, "write", account)
    data, owner_id, has_owner = _split(data)
    _parent_in_scope(actor, data)
    allowed = list(ACCOUNT_FIELDS)
    if has_owner:
        owner = resolve_owner(
            actor=actor, entity="account", owner_id=owner_id, current=account.owner
        )
        probe = Account()
        apply_ownership(probe, owner)
        data.update({name: getattr(probe, name) for name in OWNERSHIP_FIELDS})
        allowed += OWNERSHIP_FIELDS
    old_root = account.root_id
    with transaction.atomic():
        updated = record_update(
            actor=actor,
            instance=account,
            data=data,
            allowed=allowed,
            expected_version=expected_version,
            before_save=_account_derive,
            audit_action=audit_action,
        )
        if updated.root_id != old_root:
            _reroot_descendants(updated)
    return updated


def _reroot_descendants(account: Account) -> None:
    """Set the new root on every account below `account` (breadth-first, batched)."""
    frontier = [account.pk]
    while frontier:
        children = list(
            Account.all_objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
        )
        if children:
            Account.all_objects.filter(pk__in=children).update(root_id=account.root_id)
        frontier = children


def account_delete(*, actor: Any, account: Account, expected_version: int | None = None) -> Account:
    require(actor, "write", account)
    return record_delete(actor=actor, instance=account, expected_version=expected_version)


def account_restore(*, actor: Any, account: Account) -> Account:
    require(actor, "write", account)
    return record_restore(actor=actor, instance=account)


# --- Contacts ------------------------------------------------------------------------------


def _contact_derive(contact: Contact) -> None:
    contact.emails = normalize_emails(contact.emails or [])
    contact.phones = normalize_phones(contact.phones or [])
    contact.email = contact.emails[0] if contact.emails else ""
    contact.phone = contact.phones[0] if contact.phones else ""
    contact.full_name = " ".join(
        part for part in (contact.first_name, contact.middle_name, contact.last_name) if part
    )
    contact.name_key = contact_name_key(contact.first_name, contact.last_name)
    contact.custom = clean_custom_values("contact", contact.custom)


def _roles_in_scope(actor: Any, roles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    account_ids = {role["account_id"] for role in roles}
    visible = set(
        access.scoped(actor, Account.objects.filter(pk__in=account_ids)).values_list(
            "pk", flat=True
        )
    )
    if account_ids - visible:
        raise ValidationError({"roles": ["There is no such account."]})
    for role in roles:
        if role.get("since") and role.get("until") and role["until"] < role["since"]:
            raise ValidationError({"roles": ["A role cannot end before it starts."]})
    return roles


def _set_roles(contact: Contact, roles: list[dict[str, Any]], *, save_account: bool = True) -> None:
    """Replace the contact's roles. The first current role (else the first role) is the
    primary one and its account becomes the contact's `account`; with `save_account=False`
    that column is only set on `contact`, for the caller's versioned, audited update."""
    current = [index for index, role in enumerate(roles) if not role.get("until")]
    primary_index = current[0] if current else (0 if roles else None)
    contact.roles.all().delete()
    objects = [
        ContactRole(
            contact=contact,
            account_id=role["account_id"],
            title=role.get("title", ""),
            since=role.get("since"),
            until=role.get("until"),
            is_primary=index == primary_index,
        )
        for index, role in enumerate(roles)
    ]
    ContactRole.objects.bulk_create(objects)
    primary = roles[primary_index]["account_id"] if primary_index is not None else None
    if save_account:
        Contact.all_objects.filter(pk=contact.pk).update(account_id=primary)
    contact.account_id = primary


def contact_create(*, actor: Any, data: dict[str, Any]) -> Contact:
    """Create a contact; `roles` is a list of {account_id, title, since, until}."""
    require_create(actor, "contact")
    data, owner_id, _ = _split(data)
    _only(data, [*CONTACT_FIELDS, "roles"])
    roles = _roles_in_scope(actor, data.pop("roles", None) or [])
    tags = data.pop("tags", [])
    owner = resolve_owner(actor=actor, entity="contact", owner_id=owner_id)
    contact = Contact(**data)
    apply_ownership(contact, owner)
    with transaction.atomic():
        _contact_derive(contact)
        contact = record_create(actor=actor, instance=contact, many_to_many={"tags": tags})
        if roles:
            _set_roles(contact, roles)
    return contact


def contact_update(
    *,
    actor: Any,
    contact: Contact,
    data: dict[str, Any],
    expected_version: int | None,
    audit_action: str | None = "update",
) -> Contact:
    require(actor, "write", contact)
    data, owner_id, has_owner = _split(data)
    roles = data.pop("roles", None)
    if roles is not None:
        roles = _roles_in_scope(actor, roles)
    allowed = list(CONTACT_FIELDS)
    if has_owner:
        owner = resolve_owner(
            actor=actor, entity="contact", owner_id=owner_id, current=contact.owner
        )
        probe = Contact()
        apply_ownership(probe, owner)
        data.update({name: getattr(probe, name) for name in OWNERSHIP_FIELDS})
        allowed += OWNERSHIP_FIELDS
    with transaction.atomic():
        if roles is not None:
            before = list(contact.roles.values("account_id", "title", "since", "until"))
            _set_roles(contact, roles, save_account=False)
            after = list(contact.roles.values("account_id", "title", "since", "until"))
            if before != after:
                # Roles are part of the contact: their change is one more field of this write.
                data["account"] = contact.account_id
                allowed.append("account")
        updated = record_update(
            actor=actor,
            instance=contact,
            data=data,
            allowed=allowed,
            expected_version=expected_version,
            before_save=_contact_derive,
            audit_action=audit_action,
        )
    return updated


def contact_delete(*, actor: Any, contact: Contact, expected_version: int | None = None) -> Contact:
    require(actor, "write", contact)
    return record_delete(actor=actor, instance=contact, expected_version=expected_version)


def contact_restore(*, actor: Any, contact: Contact) -> Contact:
    require(actor, "write", contact)
    return record_restore(actor=actor, instance=contact)


# --- Leads ---------------------------------------------------------------------------------


def _lead_derive(lead: Lead) -> None:
    if lead.email:
        try:
            lead.email = normalize_email(lead.email)
        except ValidationError as error:
            raise ValidationError({"email": ["Enter a valid e-mail address."]}) from error
    if lead.phone:
        try:
            lead.phone = normalize_phone(lead.phone, lead.country or None)
        except ValidationError as error:
            raise ValidationError({"phone": error.messages}) from error
    lead.country = (lead.country or "").upper()
    if lead.tax_id:
        try:
            lead.tax_id = normalize_tax_id(lead.tax_id, lead.country)
        except ValidationError as error:
            raise ValidationError({"tax_id": error.messages}) from error
    lead.full_name = " ".join(part for part in (lead.first_name, lead.last_name) if part)
    if not (lead.full_name or lead.company_name or lead.email or lead.phone):
        raise ValidationError("A lead needs at least a name, a company, an e-mail or a phone.")
    lead.custom = clean_custom_values("lead", lead.custom)


def lead_create(*, actor: Any, data: dict[str, Any]) -> Lead:
    require_create(actor, "lead")
    data, owner_id, _ = _split(data)
    _only(data, LEAD_FIELDS)
    if data.get("status") == Lead.Status.CONVERTED:
        raise ValidationError({"status": ["A lead is converted with the conversion, not set."]})
    tags = data.pop("tags", [])
    owner = resolve_owner(actor=actor, entity="lead", owner_id=owner_id)
    lead = Lead(**data)
    apply_ownership(lead, owner)
    with transaction.atomic():
        _lead_derive(lead)
        return record_create(actor=actor, instance=lead, many_to_many={"tags": tags})


def lead_update(
    *, actor: Any, lead: Lead, data: dict[str, Any], expected_version: int | None
) -> Lead:
    require(actor, "write", lead)
    data, owner_id, has_owner = _split(data)
    if data.get("status") == Lead.Status.CONVERTED and lead.status != Lead.Status.CONVERTED:
        raise ValidationError({"status": ["A lead is converted with the conversion, not set."]})
    allowed = list(LEAD_FIELDS)
    if has_owner:
        owner = resolve_owner(actor=actor, entity="lead", owner_id=owner_id, current=lead.owner)
        probe = Lead()
        apply_ownership(probe, owner)
        data.update({name: getattr(probe, name) for name in OWNERSHIP_FIELDS})
        allowed += OWNERSHIP_FIELDS
    return record_update(
        actor=actor,
        instance=lead,
        data=data,
        allowed=allowed,
        expected_version=expected_version,
        before_save=_lead_derive,
    )


def lead_delete(*, actor: Any, lead: Lead, expected_version: int | None = None) -> Lead:
    require(actor, "write", lead)
    return record_delete(actor=actor, instance=lead, expected_version=expected_version)


def lead_restore(*, actor: Any, lead: Lead) -> Lead:
    require(actor, "write", lead)
    return record_restore(actor=actor, instance=lead)


@dataclass
class Conversion:
    """What a lead became."""

    lead: Lead
    contact: Contact
    account: Account | None
    created_contact: bool
    created_account: bool
    moved_interactions: int


def lead_match(*, actor: Any, lead: Lead) -> tuple[Contact | None, Account | None]:
    """The contact and account a lead most likely is, by e-mail, phone and tax id, among
    the records the actor may see."""
    contact = None
    contacts = access.scoped(actor, Contact.objects.all())
    if lead.email:
        contact = contacts.filter(email=lead.email).order_by("pk").first()
    if contact is None and lead.phone:
        contact = contacts.filter(phone=lead.phone).order_by("pk").first()
    account = None
    accounts = access.scoped(actor, Account.objects.all())
    if lead.tax_id:
        account = accounts.filter(tax_id=lead.tax_id).order_by("pk").first()
    if account is None and contact is not None and contact.account_id:
        account = accounts.filter(pk=contact.account_id).first()
    if account is None and lead.company_name:
        account = accounts.filter(name__iexact=lead.company_name).order_by("pk").first()
    return contact, account


def lead_convert(
    *,
    actor: Any,
    lead: Lead,
    contact_id: int | None = None,
    account_id: int | None = None,
    create_account: bool = True,
    expected_version: int | None = None,
    use_matches: bool = True,
) -> Conversion:
    """Turn a lead into a contact and an account — the ones named, else the ones it matches,
    else new ones — and move the lead's whole history to them. The lead stays, converted,
    with links to what it became.

    With `use_matches=False` only the named records are used and everything else is new:
    the user has seen the likely duplicates and chosen to create."""
    require(actor, "write", lead)
    with transaction.atomic():
        # Decide on the row as stored, locked: neither a stale copy of the lead nor a
        # concurrent request may convert it twice.
        Lead.all_objects.select_for_update().filter(pk=lead.pk).first()
        lead.refresh_from_db()
        previous_status = lead.status
        if lead.status == Lead.Status.CONVERTED:
            raise Conflict("This lead is already converted.")
        if expected_version is not None and lead.version != expected_version:
            raise VersionConflict(current_version=lead.version)
        matched_contact, matched_account = (
            lead_match(actor=actor, lead=lead) if use_matches else (None, None)
        )
        if contact_id is not None:
            matched_contact = access.scoped(actor, Contact.objects.filter(pk=contact_id)).first()
            if matched_contact is None:
                raise ValidationError({"contact_id": ["There is no such contact."]})
        if account_id is not None:
            matched_account = access.scoped(actor, Account.objects.filter(pk=account_id)).first()
            if matched_account is None:
                raise ValidationError({"account_id": ["There is no such account."]})
        owner_id = lead.owner_id or actor.pk
        created_account = False
        account = matched_account
        if account is None and create_account and lead.company_name:
            account = account_create(
                actor=actor,
                data={
                    "name": lead.company_name,
                    "country": lead.country,
                    "tax_id": lead.tax_id,
                    "owner_id": owner_id,
                },
            )
            created_account = True
        created_contact = False
        contact = matched_contact
        if contact is None:
            contact = contact_create(
                actor=actor,
                data={
                    "first_name": lead.first_name,
                    "last_name": lead.last_name or lead.company_name or lead.email,
                    "emails": [lead.email] if lead.email else [],
                    "phones": [lead.phone] if lead.phone else [],
                    "owner_id": owner_id,
                    "roles": (
                        [{"account_id": account.pk, "title": lead.job_title}] if account else []
                    ),
                    "tag_ids": list(lead.tags.values_list("pk", flat=True)),
                },
            )
            created_contact = True
        elif account is not None and not contact.roles.filter(account=account).exists():
            ContactRole.objects.create(
                contact=contact, account=account, title=lead.job_title, is_primary=False
            )
        moved = interactions_move_from_lead(lead=lead, contact=contact, account=account)
        now = timezone.now()
        Lead.all_objects.filter(pk=lead.pk).update(
            status=Lead.Status.CONVERTED,
            converted_contact=contact,
            converted_account=account,
            converted_at=now,
            version=lead.version + 1,
            updated_at=now,
        )
        lead.refresh_from_db()
        audit(
            actor=actor,
            action="convert",
            instance=lead,
            changes={
                "status": [previous_status, Lead.Status.CONVERTED],
                "converted_contact": [None, contact.pk],
                "converted_account": [None, account.pk if account else None],
                "moved_interactions": [0, moved],
            },
        )
        system_note(
            actor=actor,
            subject=f"Lead converted: {lead}",
            lead=lead,
            contact=contact,
            account=account,
        )
    return Conversion(lead, contact, account, created_contact, created_account, moved)


# --- Reassignment --------------------------------------------------------------------------


def owner_reassign(*, actor: Any, from_user_id: int, to_user_id: int) -> dict[str, int]:
    """Give every account, contact, lead and planned interaction of a leaving user to
    another user, in one transaction and one audit event. Only a role that writes every
    account of an office or wider (administrators, by default) may: the move crosses teams."""
    if not (
        access.is_administrator(actor)
        or access.scope_of(actor, "account", "write")
        in (
            access.Scope.OFFICE,
            access.Scope.LEGAL_ENTITY,
            access.Scope.ALL,
        )
    ):
        raise PermissionDenied("Only administrators and managers reassign clients.")
    users = get_user_model().objects.prefetch_related("teams")
    from_user = users.filter(pk=from_user_id).first()
    to_user = users.filter(pk=to_user_id, is_active=True).first()
    if from_user is None:
        raise ValidationError({"from_user_id": ["There is no such user."]})
    if to_user is None:
        raise ValidationError({"to_user_id": ["There is no active user with this id."]})
    if from_user.pk == to_user.pk:
        raise ValidationError({"to_user_id": ["Choose another user than the one leaving."]})
    probe = Account()
    apply_ownership(probe, to_user)
    columns = {name: getattr(probe, name) for name in OWNERSHIP_FIELDS}
    now = timezone.now()
    counts: dict[str, int] = {}
    with transaction.atomic():
        for label, model, extra in (
            ("accounts", Account, Q()),
            ("contacts", Contact, Q()),
            ("leads", Lead, Q()),
            ("planned_interactions", Interaction, Q(status="planned")),
        ):
            # Only what the actor may change moves, whatever else the leaving user owned.
            queryset = access.scoped(actor, model.objects.filter(extra, owner=from_user), "write")
            counts[label] = queryset.update(**columns, version=F("version") + 1, updated_at=now)
        audit(
            actor=actor,
            action="reassign",
            object_type_label="org.user",
            object_id=str(from_user.pk),
            object_repr=str(from_user),
            changes={"owner": [from_user.pk, to_user.pk], **{k: [0, v] for k, v in counts.items()}},
        )
    return counts


# --- Merging duplicates --------------------------------------------------------------------

ACCOUNT_MERGE_FIELDS = [
    "name",
    "legal_name",
    "country",
    "tax_id",
    "kpp",
    "industry",
    "size",
    "website",
    "city",
    "stage",
    "owner",
]
CONTACT_MERGE_FIELDS = ["first_name", "middle_name", "last_name", "language", "owner"]


def _merge_values(
    survivor: Any, other: Any, fields: list[str], choices: dict[str, str]
) -> dict[str, Any]:
    """The values the survivor takes: its own, or the other's where `choices` says "other",
    and the other's wherever the survivor's is empty."""
    unknown = set(choices) - set(fields)
    if unknown:
        raise ValidationError({"choices": [f"Cannot choose: {sorted(unknown)}."]})
    values: dict[str, Any] = {}
    for name in fields:
        field = survivor._meta.get_field(name)
        attribute = field.attname if field.is_relation else name
        mine, theirs = getattr(survivor, attribute), getattr(other, attribute)
        if choices.get(name) == "other" or (mine in ("", None) and theirs not in ("", None)):
            values[name] = theirs
    return values


MergeHook = Callable[[Any, Any], dict[str, int]]
MERGE_HOOKS: dict[str, list[MergeHook]] = {"account": [], "contact": []}


def register_merge_hook(entity: str, hook: MergeHook) -> None:
    """Let another app move what it keeps of a merged record: `hook(other, survivor)` runs
    in the merge's transaction and returns {what: how many moved} for the merge's audit
    event. Apps register in AppConfig.ready, so clients imports none of them."""
    MERGE_HOOKS[entity].append(hook)


def _audit_merge(actor: Any, survivor: Any, other: Any, moved: dict[str, int]) -> None:
    """One event on each record of a merge: the survivor's lists the fields it took and what
    moved to it; the other's says where it went."""
    audit(
        actor=actor,
        action="merge",
        instance=survivor,
        changes={
            **survivor.changes,
            "merged_from": [None, other.pk],
            **{f"moved_{name}": [0, count] for name, count in moved.items()},
        },
    )
    audit(actor=actor, action="merge", instance=other, changes={"merged_into": [None, survivor.pk]})


def _union(first: list[Any], second: list[Any]) -> list[Any]:
    return [*first, *(item for item in second if item not in first)]


def account_merge(
    *, actor: Any, survivor: Account, other: Account, choices: dict[str, str] | None = None
) -> Account:
    """Merge `other` into `survivor`: chosen field values, all e-mails, phones, addresses,
    tags and custom values, and both histories — interactions, contacts' roles, holding
    children and converted leads move to the survivor. `other` goes to the recycle bin,
    marked as merged into the survivor."""
    if survivor.pk == other.pk:
        raise ValidationError({"other_id": ["Choose two different accounts."]})
    require(actor, "write", survivor)
    require(actor, "write", other)
    choices = choices or {}
    values = _merge_values(survivor, other, ACCOUNT_MERGE_FIELDS, choices)
    data: dict[str, Any] = {name: value for name, value in values.items() if name != "owner"}
    data["emails"] = _union(survivor.emails, other.emails)
    data["phones"] = _union(survivor.phones, other.phones)
    data["addresses"] = _union(survivor.addresses, other.addresses)
    data["custom"] = {**other.custom, **survivor.custom}
    for key, choice in choices.items():
        if key.startswith("custom.") and choice == "other":
            data["custom"][key.removeprefix("custom.")] = other.custom.get(key[7:])
    data["tag_ids"] = sorted(
        set(survivor.tags.values_list("pk", flat=True))
        | set(other.tags.values_list("pk", flat=True))
    )
    if "owner" in values:
        data["owner_id"] = values["owner"]
    with transaction.atomic():
        if other.parent_id == survivor.pk:
            Account.all_objects.filter(pk=other.pk).update(parent=None)
        moved = {
            "interactions": Interaction.all_objects.filter(account=other).update(account=survivor),
            "contacts": Contact.all_objects.filter(account=other).update(account=survivor),
            "roles": ContactRole.objects.filter(account=other).update(account=survivor),
            "children": Account.all_objects.filter(parent=other)
            .exclude(pk=survivor.pk)
            .update(parent=survivor),
            "leads": Lead.all_objects.filter(converted_account=other).update(
                converted_account=survivor
            ),
        }
        for hook in MERGE_HOOKS["account"]:
            moved.update(hook(other, survivor))
        merged = account_update(
            actor=actor,
            account=survivor,
            data=data,
            expected_version=survivor.version,
            audit_action=None,
        )
        if moved["children"]:
            _reroot_descendants(merged)
        record_delete(actor=actor, instance=other, audit_action=None)
        Account.all_objects.filter(pk=other.pk).update(merged_into=merged)
        _audit_merge(actor, merged, other, moved)
    return merged


def contact_merge(
    *, actor: Any, survivor: Contact, other: Contact, choices: dict[str, str] | None = None
) -> Contact:
    """Merge `other` into `survivor`, as `account_merge` does for accounts: roles,
    interactions and converted leads move; e-mails, phones, tags and custom values unite."""
    if survivor.pk == other.pk:
        raise ValidationError({"other_id": ["Choose two different contacts."]})
    require(actor, "write", survivor)
    require(actor, "write", other)
    choices = choices or {}
    values = _merge_values(survivor, other, CONTACT_MERGE_FIELDS, choices)
    data: dict[str, Any] = {name: value for name, value in values.items() if name != "owner"}
    data["emails"] = _union(survivor.emails, other.emails)
    data["phones"] = _union(survivor.phones, other.phones)
    data["custom"] = {**other.custom, **survivor.custom}
    data["tag_ids"] = sorted(
        set(survivor.tags.values_list("pk", flat=True))
        | set(other.tags.values_list("pk", flat=True))
    )
    if "owner" in values:
        data["owner_id"] = values["owner"]
    with transaction.atomic():
        survivor_accounts = set(survivor.roles.values_list("account_id", flat=True))
        moved = {
            "interactions": Interaction.all_objects.filter(contact=other).update(contact=survivor),
            "roles": ContactRole.objects.filter(contact=other)
            .exclude(account_id__in=survivor_accounts)
            .update(contact=survivor, is_primary=False),
            "leads": Lead.all_objects.filter(converted_contact=other).update(
                converted_contact=survivor
            ),
        }
        for hook in MERGE_HOOKS["contact"]:
            moved.update(hook(other, survivor))
        if survivor.account_id is None and other.account_id is not None:
            Contact.all_objects.filter(pk=survivor.pk).update(account_id=other.account_id)
        merged = contact_update(
            actor=actor,
            contact=survivor,
            data=data,
            expected_version=survivor.version,
            audit_action=None,
        )
        record_delete(actor=actor, instance=other, audit_action=None)
        Contact.all_objects.filter(pk=other.pk).update(merged_into=merged)
        _audit_merge(actor, merged, other, moved)
    return merged
