"""REST routes for document templates, letterheads, generated documents (list, download),
contracts and quotes: schemas in, a service or selector call, schemas out."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status

from perpetuum.clients import selectors as client_selectors
from perpetuum.core.api_support import (
    PROBLEM_RESPONSES,
    CursorPage,
    InputSchema,
    Problem,
    expected_version,
    idempotent,
    with_etag,
)
from perpetuum.core.errors import NotFound
from perpetuum.documents import selectors, services
from perpetuum.org.models import LegalEntity

router = Router(tags=["documents"])

Kind = Literal["quote", "contract", "invoice"]
Language = Literal["en", "de", "ru", "fr"]
QuoteStatus = Literal["draft", "sent", "accepted", "rejected", "expired"]


def _data(payload: Schema) -> dict[str, Any]:
    return payload.model_dump(exclude_unset=True)


# --- Templates ---------------------------------------------------------------------------------


class TemplateIn(InputSchema):
    kind: Kind
    code: str = Field(..., min_length=1, max_length=50, pattern=r"^[-a-zA-Z0-9_]+$")
    name: str = Field(..., min_length=1, max_length=200)
    language: Language
    legal_entity_id: int | None = None
    body: str = Field(..., min_length=1)
    is_default: bool = False


class TemplatePatch(InputSchema):
    kind: Kind | None = None
    code: str | None = Field(None, min_length=1, max_length=50, pattern=r"^[-a-zA-Z0-9_]+$")
    name: str | None = Field(None, min_length=1, max_length=200)
    language: Language | None = None
    legal_entity_id: int | None = None
    body: str | None = Field(None, min_length=1)
    is_default: bool | None = None


class TemplateOut(Schema):
    id: int
    kind: str
    code: str
    name: str
    language: str
    legal_entity_id: int | None
    body: str
    is_default: bool
    version: int
    updated_at: datetime.datetime


@router.get("/document-templates", response=CursorPage[TemplateOut])
def list_templates(
    request: HttpRequest,
    kind: Kind | None = None,
    language: Language | None = None,
    legal_entity_id: int | None = None,
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
) -> Any:
    page = selectors.template_list(
        request.user,
        kind=kind,
        language=language,
        legal_entity_id=legal_entity_id,
        cursor=cursor,
        limit=limit,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post("/document-templates", response={201: TemplateOut, **PROBLEM_RESPONSES})
def create_template(request: HttpRequest, payload: TemplateIn) -> Any:
    """A new template (administrators); the body must compile in the sandbox."""

    def create() -> tuple[int, dict[str, Any]]:
        template = services.template_create(actor=request.user, data=_data(payload))
        return 201, TemplateOut.model_validate(template).model_dump(mode="json")

    return idempotent(request, route="document-templates.create", payload=payload, create=create)


class PreviewIn(InputSchema):
    """Preview a body (or a stored template) with a real quote, a real client, or invented
    sample values."""

    body: str | None = None
    template_id: int | None = None
    kind: Kind = "quote"
    language: Language | None = None
    legal_entity_id: int | None = None
    account_id: int | None = None
    contact_id: int | None = None
    quote_id: int | None = None


class PreviewOut(Schema):
    html: str


# Declared before /document-templates/{template_id}, whose parameter would take "preview".
@router.post("/document-templates/preview", response={200: PreviewOut, **PROBLEM_RESPONSES})
def preview_template(request: HttpRequest, payload: PreviewIn) -> Any:
    """The HTML the template gives; nothing is stored."""
    template = (
        selectors.template_get(request.user, payload.template_id) if payload.template_id else None
    )
    body = payload.body if payload.body is not None else (template.body if template else None)
    if body is None:
        raise ValidationError({"body": ["Give a body or a template_id."]})
    language = payload.language or (template.language if template else "en")
    entity = None
    if payload.legal_entity_id is not None:
        entity = LegalEntity.objects.filter(pk=payload.legal_entity_id).first()
        if entity is None:
            raise NotFound()
    elif template is not None:
        entity = template.legal_entity
    html = services.template_preview(
        actor=request.user,
        body=body,
        language=language,
        kind=payload.kind,
        legal_entity=entity,
        account=client_selectors.account_get(request.user, payload.account_id)
        if payload.account_id
        else None,
        contact=client_selectors.contact_get(request.user, payload.contact_id)
        if payload.contact_id
        else None,
        quote=selectors.quote_get(request.user, payload.quote_id) if payload.quote_id else None,
    )
    return {"html": html}


@router.get("/document-templates/{template_id}", response={200: TemplateOut, **PROBLEM_RESPONSES})
def get_template(request: HttpRequest, template_id: int, response: HttpResponse) -> Any:
    template = selectors.template_get(request.user, template_id)
    with_etag(response, template)
    return template


@router.patch("/document-templates/{template_id}", response={200: TemplateOut, **PROBLEM_RESPONSES})
def update_template(
    request: HttpRequest, template_id: int, payload: TemplatePatch, response: HttpResponse
) -> Any:
    template = selectors.template_get(request.user, template_id)
    updated = services.template_update(
        actor=request.user,
        template=template,
        data=_data(payload),
        expected_version=expected_version(request, template_id),
    )
    with_etag(response, updated)
    return updated


@router.delete("/document-templates/{template_id}", response={204: None, **PROBLEM_RESPONSES})
def delete_template(request: HttpRequest, template_id: int) -> Any:
    template = selectors.template_get(request.user, template_id)
    services.template_delete(
        actor=request.user,
        template=template,
        expected_version=expected_version(request, template_id, required=False),
    )
    return Status(204, None)


# --- Letterheads -------------------------------------------------------------------------------


class LetterheadIn(InputSchema):
    letterhead: str = ""
    contact_line: str = Field("", max_length=300)
    bank_details: str = ""
    signatory_name: str = Field("", max_length=200)
    signatory_title: str = Field("", max_length=200)
    footer: str = ""


class LetterheadOut(LetterheadIn):
    legal_entity_id: int
    version: int


@router.get("/letterheads", response=list[LetterheadOut])
def list_letterheads(request: HttpRequest) -> Any:
    return selectors.letterhead_list(request.user)


@router.put("/letterheads/{legal_entity_id}", response={200: LetterheadOut, **PROBLEM_RESPONSES})
def save_letterhead(request: HttpRequest, legal_entity_id: int, payload: LetterheadIn) -> Any:
    """Set what a legal entity prints on its documents (administrators)."""
    entity = LegalEntity.objects.filter(pk=legal_entity_id).first()
    if entity is None:
        raise NotFound()
    return services.letterhead_save(actor=request.user, legal_entity=entity, data=_data(payload))


# --- Generated documents -----------------------------------------------------------------------


class DocumentOut(Schema):
    id: int
    kind: str
    title: str
    language: str
    account_id: int
    contact_id: int | None
    legal_entity_id: int | None
    source_type: str
    source_id: int
    version: int
    template_id: int | None
    template_name: str
    filename: str
    size: int
    sha256: str
    created_at: datetime.datetime
    created_by_id: int | None
    download_url: str

    @staticmethod
    def resolve_download_url(obj: Any) -> str:
        return f"/api/v1/documents/{obj.pk}/content"


@router.get("/documents", response=CursorPage[DocumentOut])
def list_documents(
    request: HttpRequest,
    account_id: int | None = None,
    kind: Kind | None = None,
    source_type: str | None = None,
    source_id: int | None = None,
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
) -> Any:
    """Generated documents of the accounts the user may see, newest first."""
    page = selectors.document_list(
        request.user,
        account_id=account_id,
        kind=kind,
        source_type=source_type,
        source_id=source_id,
        cursor=cursor,
        limit=limit,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


class InvoiceDocumentIn(InputSchema):
    invoice_id: int
    contact_id: int | None = None
    template_id: int | None = None
    language: Language | None = None


# Declared before /documents/{document_id}, whose parameter would take "invoice".
@router.post("/documents/invoice", response={201: DocumentOut, **PROBLEM_RESPONSES})
def generate_invoice_document(request: HttpRequest, payload: InvoiceDocumentIn) -> Any:
    """An issued invoice as a PDF, from the invoice template."""
    document, _content = services.invoice_render(actor=request.user, **payload.model_dump())
    return Status(201, document)


@router.get("/documents/{document_id}", response={200: DocumentOut, **PROBLEM_RESPONSES})
def get_document(request: HttpRequest, document_id: int) -> Any:
    return selectors.document_get(request.user, document_id)


@router.get(
    "/documents/{document_id}/content",
    response={200: None, **PROBLEM_RESPONSES},
    openapi_extra={
        "responses": {
            200: {
                "description": "The PDF",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def download_document(request: HttpRequest, document_id: int) -> HttpResponse:
    """The PDF itself."""
    document, content = selectors.document_content(request.user, document_id)
    return pdf_response(document, content)


def pdf_response(document: Any, content: bytes, *, inline: bool = False) -> HttpResponse:
    """A stored document as a download (or shown in the browser with `inline`)."""
    response = HttpResponse(content, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{document.filename}"'
    response["Content-Length"] = str(len(content))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


class ContractIn(InputSchema):
    account_id: int
    deal_id: int | None = None
    contact_id: int | None = None
    quote_id: int | None = None
    template_id: int | None = None
    language: Language | None = None
    terms: dict[str, Any] = Field(
        {},
        description="place, subject, price, payment_days, delivery_days, delivery_terms, "
        "term_months, warranty_months",
    )


@router.post("/contracts", response={201: DocumentOut, **PROBLEM_RESPONSES})
def generate_contract(request: HttpRequest, payload: ContractIn) -> Any:
    """A contract from the sample contract template; the next version for the deal (or
    the account)."""
    document = services.contract_generate(actor=request.user, **payload.model_dump())
    return Status(201, document)


# --- Quotes ------------------------------------------------------------------------------------


class QuoteLineIn(InputSchema):
    product_id: int | None = None
    description: str | None = Field(None, max_length=500)
    details: str | None = None
    quantity: Decimal = Field(Decimal("1"), ge=0, max_digits=14, decimal_places=4)
    unit: str | None = Field(None, max_length=20)
    unit_price: Decimal | None = Field(
        None, ge=0, max_digits=20, decimal_places=4, description="The price list's when empty"
    )
    discount_percent: Decimal = Field(Decimal("0"), ge=0, le=100, decimal_places=2)
    tax_rate: Decimal | None = Field(
        None, ge=0, le=100, decimal_places=2, description="The product's when empty"
    )


class QuoteLinePatch(InputSchema):
    description: str | None = Field(None, max_length=500)
    details: str | None = None
    quantity: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=4)
    unit: str | None = Field(None, max_length=20)
    unit_price: Decimal | None = Field(None, ge=0, max_digits=20, decimal_places=4)
    discount_percent: Decimal | None = Field(None, ge=0, le=100, decimal_places=2)
    tax_rate: Decimal | None = Field(None, ge=0, le=100, decimal_places=2)
    position: int | None = Field(None, ge=0)


class QuoteLineOut(Schema):
    id: int
    position: int
    product_id: int | None
    sku: str
    description: str
    details: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    price_source: str
    discount_percent: Decimal
    tax_rate: Decimal
    net_amount: Decimal
    tax_amount: Decimal
    gross_amount: Decimal


class QuoteIn(InputSchema):
    account_id: int
    contact_id: int | None = None
    deal_id: int | None = None
    title: str = Field("", max_length=200)
    language: Language | None = None
    currency: str | None = Field(None, min_length=3, max_length=3, description="The deal's")
    valid_until: datetime.date | None = None
    notes: str = ""
    template_id: int | None = None


class QuotePatch(InputSchema):
    contact_id: int | None = None
    title: str | None = Field(None, max_length=200)
    language: Language | None = None
    valid_until: datetime.date | None = None
    notes: str | None = None
    template_id: int | None = None


class QuoteOut(Schema):
    id: int
    number: str
    revision: int
    display_number: str
    previous_id: int | None
    status: str
    title: str
    account_id: int
    contact_id: int | None
    deal_id: int | None
    issuer_id: int | None
    language: str
    currency: str
    valid_until: datetime.date | None
    notes: str
    template_id: int | None
    net_total: Decimal
    tax_total: Decimal
    gross_total: Decimal
    sent_at: datetime.datetime | None
    decided_at: datetime.datetime | None
    order_id: int | None
    owner_id: int | None
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime
    lines: list[QuoteLineOut]

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        return selectors.quote_lines(obj)


class QuoteListItem(Schema):
    id: int
    display_number: str
    status: str
    title: str
    account_id: int
    deal_id: int | None
    currency: str
    gross_total: Decimal
    valid_until: datetime.date | None
    created_at: datetime.datetime


def _quote_response(request: HttpRequest, quote_id: int, response: HttpResponse) -> Any:
    quote = selectors.quote_get(request.user, quote_id)
    with_etag(response, quote)
    return quote


@router.get("/quotes", response=CursorPage[QuoteListItem])
def list_quotes(
    request: HttpRequest,
    account_id: int | None = None,
    deal_id: int | None = None,
    status: QuoteStatus | None = None,
    number: str | None = None,
    sort: Literal["created_at", "-created_at", "number", "-number"] = "-created_at",
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
) -> Any:
    page = selectors.quote_list(
        request.user,
        account_id=account_id,
        deal_id=deal_id,
        status=status,
        number=number,
        sort=sort,
        cursor=cursor,
        limit=limit,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post("/quotes", response={201: QuoteOut, **PROBLEM_RESPONSES})
def create_quote(request: HttpRequest, payload: QuoteIn) -> Any:
    """A draft quote for an account, in its deal's currency."""

    def create() -> tuple[int, dict[str, Any]]:
        quote = services.quote_create(actor=request.user, data=_data(payload))
        quote = selectors.quote_get(request.user, quote.pk)
        return 201, QuoteOut.model_validate(quote).model_dump(mode="json")

    return idempotent(request, route="quotes.create", payload=payload, create=create)


@router.get("/quotes/{quote_id}", response={200: QuoteOut, **PROBLEM_RESPONSES})
def get_quote(request: HttpRequest, quote_id: int, response: HttpResponse) -> Any:
    return _quote_response(request, quote_id, response)


@router.patch("/quotes/{quote_id}", response={200: QuoteOut, **PROBLEM_RESPONSES})
def update_quote(
    request: HttpRequest, quote_id: int, payload: QuotePatch, response: HttpResponse
) -> Any:
    quote = selectors.quote_get(request.user, quote_id)
    services.quote_update(
        actor=request.user,
        quote=quote,
        data=_data(payload),
        expected_version=expected_version(request, quote_id),
    )
    return _quote_response(request, quote_id, response)


@router.post("/quotes/{quote_id}/lines", response={201: QuoteOut, **PROBLEM_RESPONSES})
def add_quote_line(
    request: HttpRequest, quote_id: int, payload: QuoteLineIn, response: HttpResponse
) -> Any:
    """Add a line: a product (priced from the price list unless `unit_price` is given) or a
    free-text line with its price. `If-Match` is optional."""
    quote = selectors.quote_get(request.user, quote_id)
    data = {key: value for key, value in _data(payload).items() if value is not None}
    services.quote_line_add(
        actor=request.user,
        quote=quote,
        data=data,
        expected_version=expected_version(request, quote_id, required=False),
    )
    return Status(201, _quote_response(request, quote_id, response))


@router.patch("/quotes/{quote_id}/lines/{line_id}", response={200: QuoteOut, **PROBLEM_RESPONSES})
def update_quote_line(
    request: HttpRequest,
    quote_id: int,
    line_id: int,
    payload: QuoteLinePatch,
    response: HttpResponse,
) -> Any:
    quote = selectors.quote_get(request.user, quote_id)
    services.quote_line_update(
        actor=request.user,
        quote=quote,
        line_id=line_id,
        data=_data(payload),
        expected_version=expected_version(request, quote_id, required=False),
    )
    return _quote_response(request, quote_id, response)


@router.delete("/quotes/{quote_id}/lines/{line_id}", response={200: QuoteOut, **PROBLEM_RESPONSES})
def remove_quote_line(
    request: HttpRequest, quote_id: int, line_id: int, response: HttpResponse
) -> Any:
    quote = selectors.quote_get(request.user, quote_id)
    services.quote_line_remove(
        actor=request.user,
        quote=quote,
        line_id=line_id,
        expected_version=expected_version(request, quote_id, required=False),
    )
    return _quote_response(request, quote_id, response)


@router.post("/quotes/{quote_id}/revisions", response={201: QuoteOut, **PROBLEM_RESPONSES})
def revise_quote(request: HttpRequest, quote_id: int) -> Any:
    """A new version: a draft copy with the same number and lines."""
    quote = selectors.quote_get(request.user, quote_id)
    revision = services.quote_revise(actor=request.user, quote=quote)
    return Status(201, selectors.quote_get(request.user, revision.pk))


@router.post("/quotes/{quote_id}/pdf", response={201: DocumentOut, **PROBLEM_RESPONSES})
def render_quote(request: HttpRequest, quote_id: int) -> Any:
    """Make the quote's PDF (the next version of its document)."""
    quote = selectors.quote_get(request.user, quote_id)
    document, _content = services.quote_render(actor=request.user, quote=quote)
    return Status(201, document)


class SendIn(InputSchema):
    to: list[str] = Field([], description="The contact's address when empty")
    subject: str | None = Field(None, max_length=300)
    message: str | None = None
    override_reason: str | None = Field(
        None, description="Needed when the guard blocks; recorded as a decision"
    )


class ProblemOut(Schema):
    reason: str
    link: str
    severity: str
    provider: str


class SentOut(Schema):
    quote: QuoteOut
    document: DocumentOut
    message_id: str
    warnings: list[ProblemOut]


@router.post("/quotes/{quote_id}/send", response={200: SentOut, 502: Problem, **PROBLEM_RESPONSES})
def send_quote(request: HttpRequest, quote_id: int, payload: SendIn) -> Any:
    """E-mail the quote with its PDF; the guard is asked first. The message lands on the
    timeline and the quote becomes "sent"."""
    quote = selectors.quote_get(request.user, quote_id)
    sent = services.quote_send(actor=request.user, quote=quote, **payload.model_dump())
    return {
        "quote": selectors.quote_get(request.user, quote_id),
        "document": sent.document,
        "message_id": sent.mail.message_id,
        "warnings": [problem.as_dict() for problem in sent.warnings],
    }


@router.post("/quotes/{quote_id}/accept", response={200: QuoteOut, **PROBLEM_RESPONSES})
def accept_quote(request: HttpRequest, quote_id: int) -> Any:
    """The client accepted: the quote becomes an order (`order_id`)."""
    quote = selectors.quote_get(request.user, quote_id)
    services.quote_accept(actor=request.user, quote=quote)
    return selectors.quote_get(request.user, quote_id)


@router.post("/quotes/{quote_id}/reject", response={200: QuoteOut, **PROBLEM_RESPONSES})
def reject_quote(request: HttpRequest, quote_id: int) -> Any:
    quote = selectors.quote_get(request.user, quote_id)
    services.quote_reject(actor=request.user, quote=quote)
    return selectors.quote_get(request.user, quote_id)


@router.post("/quotes/{quote_id}/expire", response={200: QuoteOut, **PROBLEM_RESPONSES})
def expire_quote(request: HttpRequest, quote_id: int) -> Any:
    quote = selectors.quote_get(request.user, quote_id)
    services.quote_expire(actor=request.user, quote=quote)
    return selectors.quote_get(request.user, quote_id)
