"""Document pages: quotes (list, a new quote, the builder with product search and lines that
update their totals through htmx, sending, deciding, versions), contracts for an account,
the template editor with its preview, and the scoped download of a generated document.

Every page works without JavaScript: htmx only swaps the part of the page a form changes.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from perpetuum.clients import selectors as client_selectors
from perpetuum.core import access
from perpetuum.core.errors import Conflict, PerpetuumError
from perpetuum.core.filters import ListFilters
from perpetuum.documents import placeholders, selectors, services
from perpetuum.documents.api import pdf_response
from perpetuum.documents.models import DocumentKind, DocumentLanguage, Quote

LANGUAGES = DocumentLanguage.choices


def _error_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            return "; ".join(
                f"{message}" for messages_ in error.message_dict.values() for message in messages_
            )
        return "; ".join(error.messages)
    if isinstance(error, PerpetuumError):
        return error.detail
    return str(error)


# --- Quotes ------------------------------------------------------------------------------------


@login_required
def quote_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or None
    page = selectors.quote_list(
        request.user,
        account_id=int(request.GET["account"])
        if request.GET.get("account", "").isdigit()
        else None,
        status=status if status in Quote.Status.values else None,
        cursor=request.GET.get("cursor") or None,
    )
    return render(
        request,
        "documents/quote_list.html",
        {"page": page, "statuses": Quote.Status.choices, "status": status},
    )


class QuoteForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200, required=False)
    contact = forms.TypedChoiceField(
        label=gettext_lazy("Contact"), coerce=int, required=False, empty_value=None
    )
    deal = forms.TypedChoiceField(
        label=gettext_lazy("Deal"), coerce=int, required=False, empty_value=None
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        choices=[("", gettext_lazy("The client's")), *LANGUAGES],
        required=False,
    )
    valid_until = forms.DateField(
        label=gettext_lazy("Valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, contacts: list[Any], deals: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].choices = [("", "—")] + [(c.pk, str(c)) for c in contacts]
        self.fields["deal"].choices = [("", "—")] + [
            (d.pk, f"{d.name} ({d.currency})") for d in deals
        ]


def _account_choices(user: Any, account: Any) -> tuple[list[Any], list[Any]]:
    """The contacts and open deals of an account the user may see, for the quote form."""
    from perpetuum.sales import selectors as sales_selectors

    summary = client_selectors.contact_list(
        user, ListFilters(extra={"roles__account_id": account.pk}), limit=100
    )
    deals = sales_selectors.account_deals(user, account)
    return list(summary.items), [deal for deal in deals if deal.status == "open"]


@login_required
@require_http_methods(["GET", "POST"])
def quote_create(request: HttpRequest, account_id: int) -> HttpResponse:
    """A new quote for an account: its contact and deal chosen from the account's."""
    account = client_selectors.account_get(request.user, account_id)
    contacts, deals = _account_choices(request.user, account)
    form = QuoteForm(
        request.POST or None,
        contacts=contacts,
        deals=deals,
        initial={"deal": request.GET.get("deal")},
    )
    if request.method == "POST" and form.is_valid():
        data: dict[str, Any] = {"account_id": account.pk, "title": form.cleaned_data["title"]}
        for name, key in (("contact", "contact_id"), ("deal", "deal_id")):
            if form.cleaned_data[name]:
                data[key] = form.cleaned_data[name]
        for name in ("language", "valid_until"):
            if form.cleaned_data[name]:
                data[name] = form.cleaned_data[name]
        try:
            quote = services.quote_create(actor=request.user, data=data)
        except (ValidationError, PerpetuumError) as error:
            if isinstance(error, PerpetuumError) and error.status in (403, 404):
                raise
            form.add_error(None, _error_text(error))
        else:
            return redirect("documents:quote_detail", pk=quote.pk)
    return render(request, "documents/quote_create.html", {"form": form, "account": account})


def _builder_context(request: HttpRequest, quote: Quote) -> dict[str, Any]:
    may_write = (
        Quote.objects.filter(pk=quote.pk)
        .filter(access.scope_q(request.user, "deal", "write"))
        .exists()
    )
    q = request.GET.get("q", "")
    return {
        "quote": quote,
        "lines": selectors.quote_lines(quote),
        "may_write": may_write,
        "editable": may_write and quote.is_editable,
        "documents": selectors.source_documents(
            request.user, kind="quote", source_type="documents.quote", source_id=quote.pk
        ),
        "revisions": selectors.quote_revisions(request.user, quote),
        "q": q,
        "products": selectors.product_search(request.user, q) if q else [],
        "send_to": quote.contact.email if quote.contact and quote.contact.email else "",
    }


@login_required
def quote_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The quote builder (a draft) or the quote as it was sent, with its PDFs and actions."""
    quote = selectors.quote_get(request.user, pk)
    return render(request, "documents/quote_detail.html", _builder_context(request, quote))


@login_required
def quote_products(request: HttpRequest, pk: int) -> HttpResponse:
    """The product search results of the builder (an htmx fragment)."""
    quote = selectors.quote_get(request.user, pk)
    return render(request, "documents/_product_results.html", _builder_context(request, quote))


def _lines_answer(request: HttpRequest, quote: Quote, error: str = "") -> HttpResponse:
    """The lines and totals fragment for htmx, the builder page otherwise."""
    if request.htmx:
        quote = selectors.quote_get(request.user, quote.pk)
        context = {**_builder_context(request, quote), "line_error": error}
        return render(request, "documents/_quote_lines.html", context)
    if error:
        messages.error(request, error)
    return redirect("documents:quote_detail", pk=quote.pk)


@login_required
@require_POST
def quote_line_add(request: HttpRequest, pk: int) -> HttpResponse:
    quote = selectors.quote_get(request.user, pk)
    data: dict[str, Any] = {}
    for name in ("quantity", "unit_price", "discount_percent", "tax_rate", "description"):
        value = request.POST.get(name, "").strip().replace(",", ".")
        if name == "description":
            value = request.POST.get(name, "").strip()
        if value:
            data[name] = value
    if request.POST.get("product_id", "").isdigit():
        data["product_id"] = int(request.POST["product_id"])
    try:
        services.quote_line_add(actor=request.user, quote=quote, data=data)
    except (ValidationError, Conflict) as error:
        return _lines_answer(request, quote, _error_text(error))
    return _lines_answer(request, quote)


@login_required
@require_POST
def quote_line_update(request: HttpRequest, pk: int, line_id: int) -> HttpResponse:
    quote = selectors.quote_get(request.user, pk)
    if request.POST.get("remove"):
        try:
            services.quote_line_remove(actor=request.user, quote=quote, line_id=line_id)
        except Conflict as error:
            return _lines_answer(request, quote, _error_text(error))
        return _lines_answer(request, quote)
    data = {
        name: request.POST[name].strip().replace(",", ".")
        for name in ("quantity", "unit_price", "discount_percent", "tax_rate")
        if request.POST.get(name, "").strip()
    }
    try:
        services.quote_line_update(actor=request.user, quote=quote, line_id=line_id, data=data)
    except (ValidationError, Conflict) as error:
        return _lines_answer(request, quote, _error_text(error))
    return _lines_answer(request, quote)


@login_required
@require_POST
def quote_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Make the PDF, make a new version, accept, reject or expire a quote."""
    quote = selectors.quote_get(request.user, pk)
    try:
        if action == "pdf":
            document, _content = services.quote_render(actor=request.user, quote=quote)
            messages.success(
                request, _("PDF version %(version)d was made.") % {"version": document.version}
            )
        elif action == "revise":
            revision = services.quote_revise(actor=request.user, quote=quote)
            messages.success(request, _("A new version was made from this quote."))
            return redirect("documents:quote_detail", pk=revision.pk)
        elif action == "accept":
            quote = services.quote_accept(actor=request.user, quote=quote)
            messages.success(request, _("The quote was accepted and became an order."))
        elif action == "reject":
            services.quote_reject(actor=request.user, quote=quote)
            messages.success(request, _("The quote was marked as rejected."))
        elif action == "expire":
            services.quote_expire(actor=request.user, quote=quote)
            messages.success(request, _("The quote was marked as expired."))
    except (ValidationError, Conflict) as error:
        messages.error(request, _error_text(error))
    return redirect("documents:quote_detail", pk=pk)


class SendForm(forms.Form):
    to = forms.EmailField(label=gettext_lazy("To"))
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=300, required=False)
    message = forms.CharField(
        label=gettext_lazy("Message"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    override_reason = forms.CharField(
        label=gettext_lazy("Reason to send despite the guard"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


@login_required
@require_http_methods(["GET", "POST"])
def quote_send(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the quote by e-mail with its PDF; the guard's warnings are shown, and a block
    asks for the reason to override it."""
    from perpetuum.sales.services import GuardBlocked

    quote = selectors.quote_get(request.user, pk)
    initial = {"to": quote.contact.email if quote.contact and quote.contact.email else ""}
    form = SendForm(request.POST or None, initial=initial)
    problems: list[Any] = []
    if request.method == "POST" and form.is_valid():
        try:
            sent = services.quote_send(
                actor=request.user,
                quote=quote,
                to=[form.cleaned_data["to"]],
                subject=form.cleaned_data["subject"] or None,
                message=form.cleaned_data["message"] or None,
                override_reason=form.cleaned_data["override_reason"] or None,
            )
        except GuardBlocked as blocked:
            problems = blocked.problems
            form.add_error(
                "override_reason",
                _("The guard blocks this client; give a reason to send anyway."),
            )
        except (ValidationError, PerpetuumError) as error:
            if isinstance(error, PerpetuumError) and error.status in (403, 404):
                raise
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, _("The quote was sent."))
            for problem in sent.warnings:
                messages.warning(request, problem.reason)
            return redirect("documents:quote_detail", pk=pk)
    return render(
        request,
        "documents/quote_send.html",
        {"quote": quote, "form": form, "problems": problems},
    )


# --- Documents ---------------------------------------------------------------------------------


@login_required
def document_download(request: HttpRequest, pk: int) -> HttpResponse:
    """A generated document, for who may see its account (404 for anyone else)."""
    document, content = selectors.document_content(request.user, pk)
    return pdf_response(document, content, inline=request.GET.get("inline") == "1")


@login_required
def account_documents(request: HttpRequest, account_id: int) -> HttpResponse:
    """The account's documents and quotes (also a fragment for the account card)."""
    account = client_selectors.account_get(request.user, account_id)
    context = {
        "account": account,
        "account_documents": selectors.account_documents(request.user, account),
        "account_quotes": selectors.account_quotes(request.user, account),
    }
    template = (
        "documents/_account_documents.html" if request.htmx else "documents/account_documents.html"
    )
    return render(request, template, context)


class ContractForm(forms.Form):
    contact = forms.TypedChoiceField(
        label=gettext_lazy("Signs for the client"), coerce=int, required=False, empty_value=None
    )
    deal = forms.TypedChoiceField(
        label=gettext_lazy("Deal"), coerce=int, required=False, empty_value=None
    )
    quote = forms.TypedChoiceField(
        label=gettext_lazy("Specification from quote"), coerce=int, required=False, empty_value=None
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        choices=[("", gettext_lazy("The client's")), *LANGUAGES],
        required=False,
    )
    place = forms.CharField(label=gettext_lazy("Place of signing"), required=False)
    subject = forms.CharField(label=gettext_lazy("Subject"), required=False, max_length=500)
    price = forms.CharField(
        label=gettext_lazy("Price (when there is no quote or deal)"), required=False
    )
    payment_days = forms.IntegerField(
        label=gettext_lazy("Days to pay"), min_value=0, max_value=3650, initial=14
    )
    delivery_days = forms.IntegerField(
        label=gettext_lazy("Days to deliver"), min_value=0, max_value=3650, initial=30
    )
    delivery_terms = forms.CharField(
        label=gettext_lazy("Delivery terms"), initial="DAP (Incoterms® 2020)", max_length=500
    )
    term_months = forms.IntegerField(
        label=gettext_lazy("Term, months"), min_value=0, max_value=3650, initial=12
    )
    warranty_months = forms.IntegerField(
        label=gettext_lazy("Warranty, months"), min_value=0, max_value=3650, initial=24
    )

    def __init__(
        self, *args: Any, contacts: list[Any], deals: list[Any], quotes: list[Any], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].choices = [("", "—")] + [(c.pk, str(c)) for c in contacts]
        self.fields["deal"].choices = [("", "—")] + [(d.pk, d.name) for d in deals]
        self.fields["quote"].choices = [("", "—")] + [
            (q.pk, f"{q.display_number} · {q.gross_total:.2f} {q.currency}") for q in quotes
        ]


@login_required
@require_http_methods(["GET", "POST"])
def contract_create(request: HttpRequest, account_id: int) -> HttpResponse:
    """A contract for an account from the sample contract template."""
    account = client_selectors.account_get(request.user, account_id)
    contacts, deals = _account_choices(request.user, account)
    quotes = selectors.account_quotes(request.user, account)
    form = ContractForm(request.POST or None, contacts=contacts, deals=deals, quotes=quotes)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        terms = {
            name: data[name] for name in services.CONTRACT_TERMS if data.get(name) not in (None, "")
        }
        try:
            document = services.contract_generate(
                actor=request.user,
                account_id=account.pk,
                contact_id=data["contact"],
                deal_id=data["deal"],
                quote_id=data["quote"],
                language=data["language"] or None,
                terms=terms,
            )
        except (ValidationError, PerpetuumError) as error:
            if isinstance(error, PerpetuumError) and error.status in (403, 404):
                raise
            form.add_error(None, _error_text(error))
        else:
            messages.success(
                request,
                _("The contract was made (version %(version)d).") % {"version": document.version},
            )
            return redirect("documents:account_documents", account_id=account.pk)
    return render(request, "documents/contract_create.html", {"form": form, "account": account})


# --- Templates ---------------------------------------------------------------------------------


class TemplateForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    code = forms.SlugField(label=gettext_lazy("Code"), max_length=50)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=DocumentKind.choices)
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=LANGUAGES)
    legal_entity = forms.TypedChoiceField(
        label=gettext_lazy("Legal entity"), coerce=int, required=False, empty_value=None
    )
    is_default = forms.BooleanField(label=gettext_lazy("Default"), required=False)
    body = forms.CharField(
        label=gettext_lazy("Body (HTML with placeholders)"),
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false", "class": "code"}),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from perpetuum.org.models import LegalEntity

        self.fields["legal_entity"].choices = [("", gettext_lazy("Every legal entity"))] + [
            (entity.pk, entity.name) for entity in LegalEntity.objects.order_by("name")
        ]


@login_required
def template_list(request: HttpRequest) -> HttpResponse:
    page = selectors.template_list(request.user, kind=request.GET.get("kind") or None, limit=200)
    return render(
        request,
        "documents/template_list.html",
        {"page": page, "may_edit": access.is_administrator(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """The template editor: the body with the placeholders listed beside it, a preview
    (sample values) before saving; saving is for administrators."""
    template = selectors.template_get(request.user, pk) if pk else None
    may_edit = access.is_administrator(request.user)
    if request.method == "POST":
        form = TemplateForm(request.POST)
        if not may_edit:
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied()
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            data["legal_entity_id"] = data.pop("legal_entity")
            try:
                if template is None:
                    template = services.template_create(actor=request.user, data=data)
                else:
                    template = services.template_update(
                        actor=request.user,
                        template=template,
                        data=data,
                        expected_version=version,
                    )
            except (ValidationError, PerpetuumError) as error:
                form.add_error("body" if "body" in _error_text(error) else None, _error_text(error))
            else:
                messages.success(request, _("The template was saved."))
                return redirect("documents:template_edit", pk=template.pk)
    else:
        initial: dict[str, Any] = {"kind": "quote", "language": "en"}
        if template is not None:
            initial = {
                "name": template.name,
                "code": template.code,
                "kind": template.kind,
                "language": template.language,
                "legal_entity": template.legal_entity_id,
                "is_default": template.is_default,
                "body": template.body,
                "version": template.version,
            }
        form = TemplateForm(initial=initial)
    return render(
        request,
        "documents/template_edit.html",
        {
            "form": form,
            "template": template,
            "may_edit": may_edit,
            "placeholders": placeholders.PLACEHOLDERS,
        },
    )


@login_required
@require_POST
def template_preview(request: HttpRequest) -> HttpResponse:
    """The preview of the body being edited, with sample values, in a sandboxed frame."""
    from perpetuum.org.models import LegalEntity

    entity_id = request.POST.get("legal_entity", "")
    entity = LegalEntity.objects.filter(pk=entity_id).first() if entity_id.isdigit() else None
    language = request.POST.get("language", "en")
    if language not in placeholders.SUPPORTED_LANGUAGES:
        language = "en"
    error = ""
    html = ""
    try:
        html = services.template_preview(
            actor=request.user,
            body=request.POST.get("body", ""),
            language=language,
            kind=request.POST.get("kind", "quote"),
            legal_entity=entity or request.user.legal_entity,
        )
    except ValidationError as invalid:
        error = _error_text(invalid)
    return render(request, "documents/_template_preview.html", {"html": html, "error": error})
