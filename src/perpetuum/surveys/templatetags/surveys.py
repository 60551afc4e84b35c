"""Template tags of the surveys app."""

from __future__ import annotations

from typing import Any

from django import template

from perpetuum.surveys.selectors import contact_survey_answers

register = template.Library()


@register.inclusion_tag("surveys/_contact_answers.html", takes_context=True)
def contact_answers_panel(context: template.Context, contact: Any) -> dict[str, Any]:
    """The contact card's survey answers: `{% contact_answers_panel contact %}`
    (the contact as the card fetched it, through a scoped selector)."""
    return {"survey_answers": contact_survey_answers(context["request"].user, contact)}
