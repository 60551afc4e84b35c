"""Every read of templates, letterheads, generated documents and quotes.

Documents and quotes belong to a client: who may see the account sees its documents and
quotes, exactly as the account's card shows its whole history. Outside that scope they are
missing (404). Templates and letterheads are our own company's, readable by every user.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from perpetuum.clients.models import Account
from perpetuum.core.access import scoped
from perpetuum.core.errors import NotFound
from perpetuum.core.pagination import Page, keyset_page
from perpetuum.documents.models import (
    Document,
    DocumentFile,
    DocumentTemplate,
    Letterhead,
    Quote,
    QuoteLine,
)


def visible_accounts(user: Any) -> QuerySet:
    """The ids of the accounts the user may read: the scope of documents and quotes."""
    return scoped(user, Account.objects.all()).values("pk")


# --- Templates and letterheads ---------------------------------------------------------------


def template_list(
    user: Any,
    *,
    kind: str | None = None,
    language: str | None = None,
    legal_entity_id: int | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page:
    if not user.is_authenticated:
        return Page(items=[], next_cursor=None)
    queryset = DocumentTemplate.objects.select_related("legal_entity")
    if kind:
        queryset = queryset.filter(kind=kind)
    if language:
        queryset = queryset.filter(language=language)
    if legal_entity_id:
        queryset = queryset.filter(legal_entity_id=legal_entity_id)
    return keyset_page(queryset, sort="code", allowed={"code": "code"}, cursor=cursor, limit=limit)


def template_get(user: Any, pk: int) -> DocumentTemplate:
    found = (
        DocumentTemplate.objects.select_related("legal_entity").filter(pk=pk).first()
        if user.is_authenticated
        else None
    )
    if found is None:
        raise NotFound()
    return found


def template_for(
    *, kind: str, language: str, legal_entity: Any = None, code: str | None = None
) -> DocumentTemplate:
    """The template a document is made from when none is chosen: the legal entity's own
    before the shared one, the default before others, the language asked for before
    English."""
    queryset = DocumentTemplate.objects.filter(kind=kind)
    if code:
        queryset = queryset.filter(code=code)
    entity_id = getattr(legal_entity, "pk", None)
    for candidate_language in dict.fromkeys([language, "en"]):
        candidates = [
            template
            for template in queryset.filter(language=candidate_language)
            if template.legal_entity_id in (None, entity_id)
        ]
        if candidates:
            candidates.sort(key=lambda t: (t.legal_entity_id is None, not t.is_default, t.pk))
            return candidates[0]
    raise NotFound(f"There is no {kind} template.")


def letterhead_of(legal_entity: Any) -> Letterhead | None:
    if legal_entity is None:
        return None
    return Letterhead.objects.filter(legal_entity=legal_entity).first()


def letterhead_list(user: Any) -> list[Letterhead]:
    if not user.is_authenticated:
        return []
    return list(Letterhead.objects.select_related("legal_entity").order_by("legal_entity__name"))


# --- Generated documents ---------------------------------------------------------------------


def _documents(user: Any) -> QuerySet:
    return Document.objects.filter(account_id__in=visible_accounts(user)).select_related(
        "account", "contact", "created_by"
    )


def account_documents(user: Any, account: Account, *, limit: int = 50) -> list[Document]:
    """The documents generated for an account, newest first, for its card."""
    if not scoped(user, Account.objects.filter(pk=account.pk)).exists():
        raise NotFound()
    return list(
        Document.objects.filter(account=account)
        .select_related("contact", "created_by")
        .order_by("-created_at", "-id")[:limit]
    )


def document_list(
    user: Any,
    *,
    account_id: int | None = None,
    kind: str | None = None,
    source_type: str | None = None,
    source_id: int | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page:
    queryset = _documents(user)
    conditions = {
        "account_id": account_id,
        "kind": kind,
        "source_type": source_type,
        "source_id": source_id,
    }
    queryset = queryset.filter(**{k: v for k, v in conditions.items() if v is not None})
    return keyset_page(
        queryset,
        sort="-created_at",
        allowed={"created_at": "created_at"},
        cursor=cursor,
        limit=limit,
    )


def document_get(user: Any, pk: int) -> Document:
    found = _documents(user).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def document_content(user: Any, pk: int) -> tuple[Document, bytes]:
    """A document the user may see, and its bytes (for a download)."""
    document = document_get(user, pk)
    stored = DocumentFile.objects.filter(document=document).first()
    if stored is None:
        raise NotFound()
    return document, bytes(stored.content)


def source_documents(user: Any, *, kind: str, source_type: str, source_id: int) -> list[Document]:
    """Every version generated from one source record, newest first."""
    return list(
        _documents(user)
        .filter(kind=kind, source_type=source_type, source_id=source_id)
        .order_by("-version")
    )


# --- Quotes ----------------------------------------------------------------------------------

QUOTE_SORTS = {"created_at": "created_at", "number": "number"}


def _quotes(user: Any) -> QuerySet:
    return Quote.objects.filter(account_id__in=visible_accounts(user)).select_related(
        "account", "contact", "deal", "issuer", "owner", "template"
    )


def quote_get(user: Any, pk: int) -> Quote:
    """One quote whose account the user may see."""
    found = _quotes(user).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def quote_list(
    user: Any,
    *,
    account_id: int | None = None,
    deal_id: int | None = None,
    status: str | None = None,
    number: str | None = None,
    sort: str = "-created_at",
    cursor: str | None = None,
    limit: int = 50,
) -> Page:
    conditions = {"account_id": account_id, "deal_id": deal_id, "status": status, "number": number}
    queryset = _quotes(user).filter(**{k: v for k, v in conditions.items() if v is not None})
    return keyset_page(queryset, sort=sort, allowed=QUOTE_SORTS, cursor=cursor, limit=limit)


def quote_lines(quote: Quote) -> list[QuoteLine]:
    """The lines of a quote the caller fetched through `quote_get`."""
    return list(quote.lines.select_related("product").order_by("position", "id"))


def quote_revisions(user: Any, quote: Quote) -> list[Quote]:
    """Every revision of the quote's number, newest first."""
    return list(_quotes(user).filter(number=quote.number).order_by("-revision"))


def account_quotes(user: Any, account: Account, *, limit: int = 50) -> list[Quote]:
    if not scoped(user, Account.objects.filter(pk=account.pk)).exists():
        raise NotFound()
    return list(
        Quote.objects.filter(account=account)
        .select_related("contact", "owner")
        .order_by("-created_at", "-id")[:limit]
    )


def product_search(user: Any, q: str, *, limit: int = 20) -> list[Any]:
    """Active catalogue products matching `q` by name or SKU, for the quote builder."""
    from perpetuum.sales import selectors as sales_selectors

    return sales_selectors.product_list(user, q=q.strip(), is_active=True, limit=limit).items
