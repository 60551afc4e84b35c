"""Template tags of the documents app."""

from __future__ import annotations

from typing import Any

from django import template

from perpetuum.documents.selectors import account_documents, account_quotes

register = template.Library()


@register.inclusion_tag("documents/_account_documents.html", takes_context=True)
def account_documents_panel(context: template.Context, account: Any) -> dict[str, Any]:
    """The account card's quotes and documents: `{% account_documents_panel account %}`
    (the account as the card fetched it, through a scoped selector)."""
    user = context["request"].user
    return {
        "account": account,
        "account_documents": account_documents(user, account),
        "account_quotes": account_quotes(user, account),
        "request": context["request"],
    }
