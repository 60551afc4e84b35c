"""Every read of surveys and their answers.

Surveys themselves are the company's, readable by every signed-in user. Answers belong to
the contact who gave them: who may see the contact sees its answers; nobody else does.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, QuerySet

from perpetuum.clients.models import Contact
from perpetuum.core.access import scoped
from perpetuum.core.errors import NotFound
from perpetuum.core.pagination import Page, keyset_page
from perpetuum.surveys.models import Survey, SurveyAnswer, SurveyResponse


def _surveys(user: Any) -> QuerySet:
    if not user.is_authenticated:
        return Survey.objects.none()
    return Survey.objects.select_related("created_by")


def survey_list(user: Any, *, q: str = "", cursor: str | None = None, limit: int = 50) -> Page:
    queryset = _surveys(user).annotate(question_count=Count("questions"))
    if q:
        queryset = queryset.filter(title__icontains=q)
    return keyset_page(
        queryset, sort="title", allowed={"title": "title"}, cursor=cursor, limit=limit
    )


def survey_get(user: Any, pk: int) -> Survey:
    found = _surveys(user).prefetch_related("questions").filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def _responses(user: Any) -> QuerySet:
    contacts = scoped(user, Contact.objects.all()).values("pk")
    return (
        SurveyResponse.objects.filter(contact_id__in=contacts)
        .select_related("survey", "contact")
        .prefetch_related(Prefetch("answers", queryset=SurveyAnswer.objects.order_by("position")))
    )


def survey_responses(
    user: Any, survey: Survey, *, cursor: str | None = None, limit: int = 50
) -> Page:
    """The answers to a survey from the contacts the user may see, newest first."""
    return keyset_page(
        _responses(user).filter(survey=survey),
        sort="-submitted_at",
        allowed={"submitted_at": "submitted_at"},
        cursor=cursor,
        limit=limit,
    )


def contact_survey_answers(user: Any, contact: Contact, *, limit: int = 20) -> list[SurveyResponse]:
    """The surveys a contact answered, newest first, with the answers, for the contact's
    card (`templates/surveys/_contact_answers.html` shows them)."""
    if not scoped(user, Contact.objects.filter(pk=contact.pk)).exists():
        raise NotFound()
    return list(_responses(user).filter(contact=contact)[:limit])
