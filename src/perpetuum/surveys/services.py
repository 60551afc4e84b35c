"""Every write of surveys: questionnaires and their questions, sending them to contacts as
links, and taking in an answer from the public page.

Who may do what: a survey is made and sent by anyone whose role may log interactions with
clients (the invitation e-mail and the answer land on the timeline); it is changed or
deleted by its author or an administrator; it is sent only to contacts the sender can see.
The respondent needs no account: the link's token is the permission, valid for one answer
unless the survey allows several.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from perpetuum.clients.models import Contact
from perpetuum.core import access
from perpetuum.core.access import is_administrator
from perpetuum.core.audit import audit
from perpetuum.core.errors import Conflict, NotFound, PermissionDenied
from perpetuum.core.mail import mail_send
from perpetuum.core.ownership import apply_ownership, require_create
from perpetuum.core.services import (
    diff,
    field_values,
    record_create,
    record_delete,
    record_update,
)
from perpetuum.surveys.models import (
    Question,
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyResponse,
)

SURVEY_FIELDS = [
    "title",
    "description",
    "thank_you",
    "language",
    "is_active",
    "allows_several_responses",
]
QUESTION_FIELDS = [
    "kind",
    "text",
    "help_text",
    "choices",
    "scale_max",
    "scale_min_label",
    "scale_max_label",
    "is_required",
]
MAX_QUESTIONS = 100
MAX_TEXT_ANSWER = 5000
SURVEY_SOURCE = "survey"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _require_author(actor: Any, survey: Survey) -> None:
    if not (is_administrator(actor) or survey.created_by_id == getattr(actor, "pk", None)):
        raise PermissionDenied("Only the survey's author or an administrator changes it.")


def _clean_question(question: Question) -> None:
    kind = Question.Kind
    choices = question.choices
    if question.kind in (kind.SINGLE, kind.MULTIPLE):
        if (
            not isinstance(choices, list)
            or len(choices) < 2
            or not all(isinstance(choice, str) and choice.strip() for choice in choices)
            or len({choice.strip() for choice in choices}) != len(choices)
        ):
            raise ValidationError(
                {"choices": ["A choice question needs at least two distinct choices."]}
            )
        question.choices = [choice.strip() for choice in choices]
    elif choices:
        raise ValidationError({"choices": ["Only choice questions have choices."]})
    question.full_clean(exclude=["survey"])


def _questions(data: list[dict[str, Any]]) -> list[Question]:
    if len(data) > MAX_QUESTIONS:
        raise ValidationError({"questions": [f"At most {MAX_QUESTIONS} questions."]})
    questions = []
    for position, item in enumerate(data, start=1):
        item = dict(item)
        item.pop("id", None)
        unknown = set(item) - set(QUESTION_FIELDS)
        if unknown:
            raise ValueError(f"fields not allowed: {sorted(unknown)}")
        question = Question(position=position, **item)
        try:
            _clean_question(question)
        except ValidationError as error:
            raise ValidationError(
                {
                    f"questions.{position - 1}.{field}": messages
                    for field, messages in error.message_dict.items()
                }
            ) from error
        questions.append(question)
    return questions


def _question_summary(questions: list[Question]) -> list[str]:
    return [f"{question.kind}: {question.text}" for question in questions]


def survey_create(*, actor: Any, data: dict[str, Any]) -> Survey:
    """A survey with its questions (`questions`: a list of question fields, in order)."""
    require_create(actor, "interaction")
    data = dict(data)
    questions = _questions(data.pop("questions", []))
    survey = Survey(**data)
    survey.created_by = actor
    with transaction.atomic():
        survey.full_clean()
        survey.save(force_insert=True)
        for question in questions:
            question.survey = survey
            question.save(force_insert=True)
        changes = diff({}, field_values(survey, SURVEY_FIELDS))
        changes["questions"] = [None, _question_summary(questions)]
        audit(actor=actor, action="create", instance=survey, changes=changes)
    return survey


def survey_update(
    *, actor: Any, survey: Survey, data: dict[str, Any], expected_version: int | None
) -> Survey:
    """Change a survey; `questions`, when sent, replaces the list (questions keep their
    identity by `id`, so earlier answers stay linked to the question they answered)."""
    _require_author(actor, survey)
    data = dict(data)
    questions_data = data.pop("questions", None)
    with transaction.atomic():
        if questions_data is None:
            return record_update(
                actor=actor,
                instance=survey,
                data=data,
                allowed=SURVEY_FIELDS,
                expected_version=expected_version,
            )
        updated = record_update(
            actor=actor,
            instance=survey,
            data=data,
            allowed=SURVEY_FIELDS,
            expected_version=expected_version,
            audit_action=None,
        )
        existing = {question.pk: question for question in updated.questions.all()}
        before = _question_summary(list(existing.values()))
        new_questions = _questions(questions_data)
        kept: set[int] = set()
        for item, question in zip(questions_data, new_questions, strict=True):
            previous = existing.get(item.get("id")) if item.get("id") else None
            if previous is not None:
                question.pk = previous.pk
                kept.add(previous.pk)
            question.survey = updated
            question.save()
        Question.objects.filter(survey=updated).exclude(
            pk__in=[question.pk for question in new_questions]
        ).delete()
        after = _question_summary(new_questions)
        changes = dict(updated.changes)
        if before != after:
            changes["questions"] = [before, after]
        if changes:
            if not updated.changes:
                updated.version += 1
                updated.updated_at = timezone.now()
                updated.save(update_fields=["version", "updated_at"])
            audit(actor=actor, action="update", instance=updated, changes=changes)
        updated.changes = changes
    return updated


def survey_delete(*, actor: Any, survey: Survey, expected_version: int | None = None) -> Survey:
    """Delete a survey nobody answered yet to the recycle bin. A survey with answers stays:
    the answers are kept on the contacts, so it is closed instead (`is_active`)."""
    _require_author(actor, survey)
    if survey.responses.exists():
        raise Conflict("The survey has answers; close it instead of deleting it.")
    return record_delete(actor=actor, instance=survey, expected_version=expected_version)


# --- Sending ---------------------------------------------------------------------------------


@dataclass
class Invited:
    """A contact the survey went to, and the link (shown once: only its hash is kept)."""

    invitation: SurveyInvitation
    link: str
    emailed: bool


MAIL_TEXT = {
    "en": "Hello {name},\n\nwe would value your opinion. Please answer a few questions:\n{link}"
    "\n\nThank you!\n{sender}",
    "de": "Guten Tag {name},\n\nIhre Meinung ist uns wichtig. Bitte beantworten Sie ein paar "
    "Fragen:\n{link}\n\nVielen Dank!\n{sender}",
    "ru": "Здравствуйте, {name}!\n\nНам важно ваше мнение. Пожалуйста, ответьте на несколько "
    "вопросов:\n{link}\n\nСпасибо!\n{sender}",
    "fr": "Bonjour {name},\n\nvotre avis nous est précieux. Merci de répondre à quelques "
    "questions :\n{link}\n\nMerci !\n{sender}",
}


def survey_send(
    *,
    actor: Any,
    survey: Survey,
    contact_ids: list[int],
    link_for: Callable[[str], str],
    by_email: bool = True,
    message: str = "",
) -> list[Invited]:
    """Invite contacts to answer: one link each (`link_for(token)` makes the absolute URL).
    By e-mail, each message goes out through `core.mail` and lands on the contact's
    timeline; otherwise the links are returned to be passed on by hand."""
    require_create(actor, "interaction")
    if not Survey.objects.filter(pk=survey.pk, is_active=True).exists():
        raise Conflict("The survey is closed; open it before sending it.")
    if not contact_ids:
        raise ValidationError({"contact_ids": ["Choose at least one contact."]})
    contacts = list(access.scoped(actor, Contact.objects.filter(pk__in=set(contact_ids))))
    if len(contacts) != len(set(contact_ids)):
        raise ValidationError({"contact_ids": ["There is no such contact."]})
    if by_email:
        without = [str(contact) for contact in contacts if not contact.email]
        if without:
            raise ValidationError(
                {"contact_ids": [f"No e-mail address: {', '.join(sorted(without))}."]}
            )
    invited = []
    for contact in sorted(contacts, key=lambda item: item.pk):
        token = secrets.token_urlsafe(32)
        link = link_for(token)
        with transaction.atomic():
            invitation = SurveyInvitation.objects.create(
                survey=survey,
                contact=contact,
                token_hash=token_hash(token),
                sent_to=contact.email if by_email else "",
                sent_by=actor,
            )
            audit(
                actor=actor,
                action="create",
                instance=invitation,
                changes={"survey": [None, survey.pk], "contact": [None, contact.pk]},
            )
        if by_email:
            text = message or MAIL_TEXT.get(survey.language, MAIL_TEXT["en"])
            body = (
                text.replace("{link}", link)
                if message
                else text.format(name=contact.full_name, link=link, sender=str(actor))
            )
            if message and link not in body:
                body = f"{body}\n\n{link}"
            mail_send(
                actor=actor,
                to=[contact.email],
                subject=survey.title,
                body=body,
                account=contact.account,
                contact=contact,
            )
        invited.append(Invited(invitation=invitation, link=link, emailed=by_email))
    return invited


# --- Answering -------------------------------------------------------------------------------


def invitation_for_token(token: str) -> SurveyInvitation:
    """The invitation of a link; a wrong, deleted or closed survey's token is not found."""
    if not token or len(token) > 200:
        raise NotFound()
    invitation = (
        SurveyInvitation.objects.select_related("survey", "contact")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if (
        invitation is None
        or invitation.survey.deleted_at is not None
        or invitation.contact.deleted_at is not None
    ):
        raise NotFound()
    return invitation


def may_answer(invitation: SurveyInvitation) -> bool:
    survey = invitation.survey
    return survey.is_active and (invitation.response_count == 0 or survey.allows_several_responses)


def _clean_answer(question: Question, raw: Any) -> tuple[Any, str]:
    """The stored value and its display text; raises with the question's message."""
    kind = Question.Kind
    empty = raw is None or raw == "" or raw == []
    if empty:
        if question.is_required:
            raise ValidationError("Please answer this question.")
        return None, ""
    if question.kind == kind.TEXT:
        text = str(raw).strip()
        if len(text) > MAX_TEXT_ANSWER:
            raise ValidationError(f"At most {MAX_TEXT_ANSWER} characters.")
        if not text and question.is_required:
            raise ValidationError("Please answer this question.")
        return (text or None), text
    if question.kind == kind.SINGLE:
        if raw not in question.choices:
            raise ValidationError("Choose one of the answers offered.")
        return raw, raw
    if question.kind == kind.MULTIPLE:
        values = raw if isinstance(raw, list) else [raw]
        if any(value not in question.choices for value in values):
            raise ValidationError("Choose among the answers offered.")
        chosen = [choice for choice in question.choices if choice in values]
        return chosen, ", ".join(chosen)
    try:
        number = int(raw)
    except (TypeError, ValueError) as error:
        raise ValidationError(f"Choose a number from 1 to {question.scale_max}.") from error
    if isinstance(raw, bool) or not 1 <= number <= question.scale_max:
        raise ValidationError(f"Choose a number from 1 to {question.scale_max}.")
    return number, f"{number} / {question.scale_max}"


def survey_answer(*, token: str, answers: dict[str, Any]) -> SurveyResponse:
    """Store an answer given through a link: validated per question, once per link unless
    the survey allows several, audited, and on the contact's timeline."""
    invitation = invitation_for_token(token)
    questions = list(invitation.survey.questions.all())
    errors: dict[str, list[str]] = {}
    cleaned: list[tuple[Question, Any, str]] = []
    for question in questions:
        try:
            value, display = _clean_answer(question, answers.get(str(question.pk)))
        except ValidationError as error:
            errors[f"question_{question.pk}"] = error.messages
            continue
        cleaned.append((question, value, display))
    unknown = set(answers) - {str(question.pk) for question in questions}
    if unknown:
        errors["answers"] = ["These questions are not in the survey."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        invitation = (
            SurveyInvitation.objects.select_for_update()
            .select_related("survey", "contact")
            .get(pk=invitation.pk)
        )
        if not may_answer(invitation):
            raise Conflict("This survey was already answered.")
        now = timezone.now()
        response = SurveyResponse.objects.create(
            survey=invitation.survey,
            invitation=invitation,
            contact=invitation.contact,
            submitted_at=now,
        )
        SurveyAnswer.objects.bulk_create(
            SurveyAnswer(
                response=response,
                question=question,
                position=question.position,
                question_text=question.text,
                kind=question.kind,
                value=value,
                display=display,
            )
            for question, value, display in cleaned
        )
        invitation.response_count += 1
        invitation.last_response_at = now
        invitation.save(update_fields=["response_count", "last_response_at"])
        audit(
            actor=None,
            action="create",
            instance=response,
            changes={
                "survey": [None, invitation.survey_id],
                "contact": [None, invitation.contact_id],
                "answers": [None, {q.text: display for q, _value, display in cleaned}],
            },
        )
        _timeline_entry(response, cleaned)
    return response


def _timeline_entry(response: SurveyResponse, cleaned: list[tuple[Question, Any, str]]) -> None:
    """The answer on the contact's timeline: an inbound entry owned by the contact's owner,
    written by the system (the respondent has no user)."""
    from perpetuum.timeline.models import Interaction

    contact = response.contact
    lines = [f"{question.text}\n→ {display or '—'}" for question, _value, display in cleaned]
    interaction = Interaction(
        kind=Interaction.Kind.WEB_FORM,
        channel=SURVEY_SOURCE,
        direction=Interaction.Direction.INBOUND,
        status=Interaction.Status.DONE,
        occurred_at=response.submitted_at,
        subject=f"Survey answered: {response.survey.title}"[:300],
        body="\n\n".join(lines),
        contact=contact,
        account_id=contact.account_id,
        source=SURVEY_SOURCE,
        external_id=f"survey-response:{response.pk}",
    )
    apply_ownership(interaction, contact.owner)
    record_create(actor=None, instance=interaction)


# --- Merges --------------------------------------------------------------------------------


def contact_survey_answers_move(*, from_contact: Contact, to_contact: Contact) -> dict[str, int]:
    """Move a merged contact's survey links and answers to the contact it was merged into;
    for the merge service to call in its transaction (it audits the merge)."""
    return {
        "invitations": SurveyInvitation.objects.filter(contact=from_contact).update(
            contact=to_contact
        ),
        "responses": SurveyResponse.objects.filter(contact=from_contact).update(contact=to_contact),
    }
