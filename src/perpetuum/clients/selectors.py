"""Every read of accounts, contacts and leads, starting from the user's access scope."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from perpetuum.clients.models import Account, Contact, ContactRole, Lead
from perpetuum.core import search
from perpetuum.core.access import scoped
from perpetuum.core.errors import NotFound
from perpetuum.core.filters import ListFilters, apply_common_filters
from perpetuum.core.pagination import Page, attach_tags, keyset_after, keyset_page, listed
from perpetuum.timeline.models import Interaction

ACCOUNT_SORTS = {"name": "name", "created_at": "created_at", "updated_at": "updated_at"}
CONTACT_SORTS = {
    "name": "full_name",
    "last_name": "last_name",
    "created_at": "created_at",
    "updated_at": "updated_at",
}
LEAD_SORTS = {"name": "full_name", "created_at": "created_at", "updated_at": "updated_at"}
HOLDING_CHILDREN_SHOWN = 50


def _base(model: type, user: Any, *, action: str, deleted: bool) -> QuerySet:
    manager = model.all_objects
    queryset = manager.deleted() if deleted else manager.alive()
    return scoped(user, queryset, action)


def _brief(relation: str, model: type, *shown: str) -> list[str]:
    """The fields of the related `model` reached through `relation` that a list does not
    show, for `defer()`: a list row needs a related row's name, not its thirty columns."""
    keep = {"id", *shown}
    return [
        f"{relation}__{field.name}"
        for field in model._meta.concrete_fields
        if field.name not in keep
    ]


def _roles_with_accounts() -> Prefetch:
    """A contact's roles with their accounts' names, as every contact the API returns shows
    them."""
    return listed(
        "roles",
        ContactRole.objects.select_related("account").defer(*_brief("account", Account, "name")),
    )


@dataclass(frozen=True, slots=True)
class RoleBrief:
    """A contact's role as a list row shows it."""

    account_id: int
    account_name: str
    title: str
    since: datetime.date | None
    until: datetime.date | None
    is_primary: bool


def _attach_roles(contacts: list[Contact]) -> None:
    """Put on every contact of a page the plain list `listed_roles` of its roles with their
    accounts' names, in one query of the columns shown."""
    roles: dict[int, list[RoleBrief]] = {}
    for contact in contacts:
        contact.listed_roles = roles.setdefault(contact.pk, [])
    if not roles:
        return
    rows = (
        ContactRole.objects.filter(contact_id__in=list(roles))
        .order_by(*ContactRole._meta.ordering)
        .values_list(
            "contact_id", "account_id", "account__name", "title", "since", "until", "is_primary"
        )
    )
    for contact_id, *role in rows:
        roles[contact_id].append(RoleBrief(*role))


def _listed(page: Page, *attach: Any) -> Page:
    """`page` with what its rows show of their to-many relations attached."""
    for step in attach:
        step(page.items)
    return page


def _owner_named(queryset: QuerySet) -> QuerySet:
    """`queryset` with each row's owner, of whom lists show the name only."""
    return queryset.select_related("owner").defer(
        *_brief("owner", get_user_model(), "first_name", "last_name", "username")
    )


def _get(
    model: type, user: Any, pk: int, *, action: str, deleted: bool, prefetch: tuple = ()
) -> Any:
    found = (
        _base(model, user, action=action, deleted=deleted)
        .select_related("owner", "team", "office", "legal_entity")
        .prefetch_related("tags", *prefetch)
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def account_get(user: Any, pk: int, *, action: str = "read", deleted: bool = False) -> Account:
    """One account the user may see (or, with `deleted`, one in their recycle bin)."""
    return _get(Account, user, pk, action=action, deleted=deleted)


def contact_get(user: Any, pk: int, *, action: str = "read", deleted: bool = False) -> Contact:
    return _get(
        Contact, user, pk, action=action, deleted=deleted, prefetch=(_roles_with_accounts(),)
    )


def contact_roles(contact: Contact) -> list[Any]:
    return list(contact.roles.select_related("account"))


def lead_get(user: Any, pk: int, *, action: str = "read", deleted: bool = False) -> Lead:
    return _get(Lead, user, pk, action=action, deleted=deleted)


def account_list(
    user: Any,
    filters: ListFilters,
    *,
    sort: str = "name",
    cursor: str | None = None,
    limit: int = 50,
    deleted: bool = False,
) -> Page:
    """A page of the accounts the user may see (the recycle bin with `deleted`)."""
    queryset = apply_common_filters(
        _base(Account, user, action="write" if deleted else "read", deleted=deleted),
        filters,
        entity="account",
        search_fields=["name", "legal_name", "email", "phone", "tax_id"],
    )
    queryset = _owner_named(queryset).select_related("office", "legal_entity")
    page = keyset_page(queryset, sort=sort, allowed=ACCOUNT_SORTS, cursor=cursor, limit=limit)
    return _listed(page, attach_tags)


def contact_list(
    user: Any,
    filters: ListFilters,
    *,
    sort: str = "name",
    cursor: str | None = None,
    limit: int = 50,
    deleted: bool = False,
) -> Page:
    queryset = apply_common_filters(
        _base(Contact, user, action="write" if deleted else "read", deleted=deleted),
        filters,
        entity="contact",
        search_fields=["full_name", "email", "phone"],
    )
    queryset = (
        _owner_named(queryset).select_related("account").defer(*_brief("account", Account, "name"))
    )
    page = keyset_page(queryset, sort=sort, allowed=CONTACT_SORTS, cursor=cursor, limit=limit)
    return _listed(page, attach_tags, _attach_roles)


def lead_list(
    user: Any,
    filters: ListFilters,
    *,
    sort: str = "-created_at",
    cursor: str | None = None,
    limit: int = 50,
    deleted: bool = False,
) -> Page:
    queryset = apply_common_filters(
        _base(Lead, user, action="write" if deleted else "read", deleted=deleted),
        filters,
        entity="lead",
        search_fields=["full_name", "company_name", "email", "phone"],
    )
    page = keyset_page(
        _owner_named(queryset), sort=sort, allowed=LEAD_SORTS, cursor=cursor, limit=limit
    )
    return _listed(page, attach_tags)


@dataclass
class AccountSummary:
    """The status of a client at a glance, as the card's header shows it."""

    account: Account
    parent: Account | None
    children: list[Account]
    children_count: int
    open_tasks: int
    overdue_tasks: int
    last_interaction: Interaction | None
    next_interaction: Interaction | None
    counts_by_kind: dict[str, int]


def _holding(user: Any, account: Account, consolidated: bool) -> QuerySet | None:
    """The members of the account's holding the user may see, for a consolidated view of a
    holding; None for the account's own view. Access follows the account: who may see a
    client sees its whole history, and a consolidated view never spans the others."""
    if consolidated and account.root_id:
        return scoped(user, Account.objects.filter(root_id=account.root_id))
    return None


def _timeline_scope(user: Any, account: Account, consolidated: bool) -> QuerySet:
    """The interactions of the account's card: its own, or its whole holding's."""
    holding = _holding(user, account, consolidated)
    if holding is not None:
        return Interaction.objects.filter(account_id__in=holding.values("pk"))
    return Interaction.objects.filter(account_id=account.pk)


def _newest(
    user: Any, account: Account, consolidated: bool, condition: Q, order: tuple[str, str]
) -> Interaction | None:
    """The first interaction in `order` that meets `condition`, of the account or of its
    holding. Over a holding it takes each member's first through that member's own index
    and picks among those few, rather than sorting the whole holding's history."""
    holding = _holding(user, account, consolidated)
    queryset = Interaction.objects.filter(condition).select_related("author").order_by(*order)
    if holding is None:
        return queryset.filter(account_id=account.pk).first()
    firsts = holding.annotate(
        first=Subquery(queryset.filter(account_id=OuterRef("pk")).values("pk")[:1])
    ).values("first")
    return queryset.filter(pk__in=firsts).first()


KIND_COUNT_CAP = 1000


def _counts_by_kind(interactions: QuerySet) -> dict[str, int]:
    """How many of `interactions` there are of each kind, each counted up to KIND_COUNT_CAP
    (which then reads "at least"), in one query: a client with 200,000 interactions costs
    the same as one with 2,000. The ORM compiles the scope once; each kind reads it with
    its own bounded count (the databases push the kind into the subquery's index range)."""
    kinds = Interaction.Kind.values
    sql, scope_params = interactions.order_by().values("pk", "kind").query.sql_with_params()
    count = (
        f"(SELECT COUNT(*) FROM (SELECT 1 FROM ({sql}) scope "  # noqa: S608 - ORM SQL
        f"WHERE scope.kind = %s LIMIT {KIND_COUNT_CAP}) capped)"
    )
    params: list[Any] = []
    for kind in kinds:
        params.extend([*scope_params, kind])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join([count] * len(kinds))}", params)
        row = cursor.fetchone()
    return {kind: count for kind, count in zip(kinds, row, strict=True) if count}


def account_summary(user: Any, account: Account, *, consolidated: bool = False) -> AccountSummary:
    """Header of the 360° card; a fixed number of queries, whatever the history's size."""
    now = timezone.now()
    interactions = _timeline_scope(user, account, consolidated)
    planned = interactions.filter(status=Interaction.Status.PLANNED)
    tasks = planned.filter(kind=Interaction.Kind.TASK).aggregate(
        open=Count("pk"), overdue=Count("pk", filter=Q(due_at__lt=now))
    )
    # "Up to now" starts the index walk at today, past the planned ones of the months ahead.
    last = _newest(
        user,
        account,
        consolidated,
        Q(status=Interaction.Status.DONE, at__lte=now),
        ("-at", "-pk"),
    )
    upcoming = _newest(
        user,
        account,
        consolidated,
        Q(status=Interaction.Status.PLANNED, at__gte=now),
        ("at", "pk"),
    )
    counts = _counts_by_kind(interactions)
    visible_accounts = scoped(user, Account.objects.all())
    parent = visible_accounts.filter(pk=account.parent_id).first() if account.parent_id else None
    children_query = visible_accounts.filter(parent_id=account.pk).order_by("name", "pk")
    children = list(children_query[: HOLDING_CHILDREN_SHOWN + 1])
    children_count = len(children)
    if children_count > HOLDING_CHILDREN_SHOWN:
        children = children[:HOLDING_CHILDREN_SHOWN]
        children_count = children_query.count()
    return AccountSummary(
        account=account,
        parent=parent,
        children=children,
        children_count=children_count,
        open_tasks=tasks["open"],
        overdue_tasks=tasks["overdue"],
        last_interaction=last,
        next_interaction=upcoming,
        counts_by_kind=counts,
    )


TIMELINE_SORT = {"at": "at"}
EARLIEST = datetime.datetime(1, 1, 1, tzinfo=datetime.UTC)


def account_timeline(
    user: Any,
    account: Account,
    *,
    kinds: list[str] | None = None,
    channels: list[str] | None = None,
    since: Any = None,
    until: Any = None,
    consolidated: bool = False,
    cursor: str | None = None,
    limit: int = 50,
) -> Page:
    """The account's interactions, past and planned, newest first, in pages."""
    condition = Q()
    if kinds:
        condition &= Q(kind__in=kinds)
    if channels:
        condition &= Q(channel__in=channels)
    if since is not None:
        condition &= Q(at__gte=since)
    if until is not None:
        condition &= Q(at__lt=until)
    queryset = _timeline_scope(user, account, consolidated).filter(condition)
    holding = _holding(user, account, consolidated)
    if holding is not None:
        # A page (and the row that tells whether another follows) holds no interaction older
        # than the (limit + 1)-th newest of any one member: that member alone fills it down
        # to there. Each member finds its own through its index, so a page reads at most a
        # page a member instead of sorting the holding's whole history.
        nth = keyset_after(
            Interaction.objects.filter(condition, account_id=OuterRef("pk")),
            sort="-at",
            allowed=TIMELINE_SORT,
            cursor=cursor,
        ).values("at")[limit : limit + 1]
        # The latest of the members' cutoffs (ordered, not grouped: Django hashes every
        # expression of a GROUP BY, which cost more than the query).
        cutoff = (
            holding.annotate(nth=Subquery(nth))
            .order_by(F("nth").desc(nulls_last=True))
            .values("nth")[:1]
        )
        # No member with that many: no cutoff.
        queryset = queryset.filter(at__gte=Coalesce(Subquery(cutoff), Value(EARLIEST)))
    # An entry shows its author's and its contact's names, not their thirty columns.
    queryset = queryset.select_related("author", "contact").defer(
        *_brief("author", get_user_model(), "first_name", "last_name", "username"),
        *_brief("contact", Contact, "full_name"),
    )
    return keyset_page(queryset, sort="-at", allowed=TIMELINE_SORT, cursor=cursor, limit=limit)


SEARCH_CANDIDATES = 200


def global_search(user: Any, query: str, *, limit: int = 5) -> dict[str, list[Any]]:
    """The best matches among accounts, contacts and leads the user may see, best first.

    The index ranks the best candidates; the access scope then keeps those the user may see.
    """
    results: dict[str, list[Any]] = {}
    for entity, model in (("account", Account), ("contact", Contact), ("lead", Lead)):
        ids = search.ranked_ids(entity, query, SEARCH_CANDIDATES)
        if not ids:
            results[entity] = []
            continue
        visible = {
            record.pk: record
            for record in scoped(user, model.objects.filter(pk__in=ids)).select_related("owner")
        }
        results[entity] = [visible[pk] for pk in ids if pk in visible][:limit]
    return results
