"""REST routes for surveys: questionnaires, sending them to contacts, and the answers."""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status

from perpetuum.clients import selectors as client_selectors
from perpetuum.core.api_support import (
    PROBLEM_RESPONSES,
    CursorPage,
    InputSchema,
    expected_version,
    idempotent,
    with_etag,
)
from perpetuum.surveys import selectors, services

router = Router(tags=["surveys"])

QuestionKind = Literal["text", "single", "multiple", "scale"]
Language = Literal["en", "de", "ru", "fr"]


class QuestionIn(InputSchema):
    id: int | None = Field(None, description="To keep an existing question (in an update)")
    kind: QuestionKind
    text: str = Field(..., min_length=1, max_length=500)
    help_text: str = Field("", max_length=300)
    choices: list[str] = Field([], description="For single and multiple choice")
    scale_max: int = Field(5, ge=2, le=10, description="A scale goes from 1 to this")
    scale_min_label: str = Field("", max_length=60)
    scale_max_label: str = Field("", max_length=60)
    is_required: bool = False


class QuestionOut(Schema):
    id: int
    position: int
    kind: str
    text: str
    help_text: str
    choices: list[str]
    scale_max: int
    scale_min_label: str
    scale_max_label: str
    is_required: bool


class SurveyIn(InputSchema):
    title: str = Field(..., min_length=1, max_length=200)
    description: str = ""
    thank_you: str = ""
    language: Language = "en"
    is_active: bool = True
    allows_several_responses: bool = False
    questions: list[QuestionIn] = []


class SurveyPatch(InputSchema):
    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    thank_you: str | None = None
    language: Language | None = None
    is_active: bool | None = None
    allows_several_responses: bool | None = None
    questions: list[QuestionIn] | None = Field(None, description="Replaces the list")


class SurveyOut(Schema):
    id: int
    title: str
    description: str
    thank_you: str
    language: str
    is_active: bool
    allows_several_responses: bool
    created_by_id: int | None
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime
    questions: list[QuestionOut]

    @staticmethod
    def resolve_questions(obj: Any) -> list[Any]:
        return list(obj.questions.all())


def _data(payload: Schema) -> dict[str, Any]:
    data = payload.model_dump(exclude_unset=True)
    if data.get("questions") is not None:
        data["questions"] = [
            {key: value for key, value in item.items() if not (key == "id" and value is None)}
            for item in data["questions"]
        ]
    return data


@router.get("/surveys", response=CursorPage[SurveyOut])
def list_surveys(
    request: HttpRequest,
    q: str = "",
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
) -> Any:
    page = selectors.survey_list(request.user, q=q, cursor=cursor, limit=limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post("/surveys", response={201: SurveyOut, **PROBLEM_RESPONSES})
def create_survey(request: HttpRequest, payload: SurveyIn) -> Any:
    def create() -> tuple[int, dict[str, Any]]:
        survey = services.survey_create(actor=request.user, data=_data(payload))
        survey = selectors.survey_get(request.user, survey.pk)
        return 201, SurveyOut.model_validate(survey).model_dump(mode="json")

    return idempotent(request, route="surveys.create", payload=payload, create=create)


@router.get("/surveys/{survey_id}", response={200: SurveyOut, **PROBLEM_RESPONSES})
def get_survey(request: HttpRequest, survey_id: int, response: HttpResponse) -> Any:
    survey = selectors.survey_get(request.user, survey_id)
    with_etag(response, survey)
    return survey


@router.patch("/surveys/{survey_id}", response={200: SurveyOut, **PROBLEM_RESPONSES})
def update_survey(
    request: HttpRequest, survey_id: int, payload: SurveyPatch, response: HttpResponse
) -> Any:
    survey = selectors.survey_get(request.user, survey_id)
    services.survey_update(
        actor=request.user,
        survey=survey,
        data=_data(payload),
        expected_version=expected_version(request, survey_id),
    )
    survey = selectors.survey_get(request.user, survey_id)
    with_etag(response, survey)
    return survey


@router.delete("/surveys/{survey_id}", response={204: None, **PROBLEM_RESPONSES})
def delete_survey(request: HttpRequest, survey_id: int) -> Any:
    survey = selectors.survey_get(request.user, survey_id)
    services.survey_delete(
        actor=request.user,
        survey=survey,
        expected_version=expected_version(request, survey_id, required=False),
    )
    return Status(204, None)


class SendIn(InputSchema):
    contact_ids: list[int] = Field(..., min_length=1, max_length=500)
    by_email: bool = Field(True, description="Else only the links are returned")
    message: str = Field("", description="Instead of the default text; the link is added")


class InvitedOut(Schema):
    contact_id: int
    link: str = Field(..., description="Shown only now: only the token's hash is kept")
    emailed: bool


@router.post("/surveys/{survey_id}/send", response={200: list[InvitedOut], **PROBLEM_RESPONSES})
def send_survey(request: HttpRequest, survey_id: int, payload: SendIn) -> Any:
    """Send the survey to contacts the user may see: one link each."""
    survey = selectors.survey_get(request.user, survey_id)
    invited = services.survey_send(
        actor=request.user,
        survey=survey,
        contact_ids=payload.contact_ids,
        link_for=lambda token: request.build_absolute_uri(reverse("surveys:public", args=[token])),
        by_email=payload.by_email,
        message=payload.message,
    )
    return [
        {"contact_id": item.invitation.contact_id, "link": item.link, "emailed": item.emailed}
        for item in invited
    ]


class AnswerOut(Schema):
    question_id: int | None
    question_text: str
    kind: str
    value: Any
    display: str


class ResponseOut(Schema):
    id: int
    survey_id: int
    survey_title: str
    contact_id: int
    submitted_at: datetime.datetime
    answers: list[AnswerOut]

    @staticmethod
    def resolve_survey_title(obj: Any) -> str:
        return obj.survey.title

    @staticmethod
    def resolve_answers(obj: Any) -> list[Any]:
        return list(obj.answers.all())


@router.get(
    "/surveys/{survey_id}/responses",
    response={200: CursorPage[ResponseOut], **PROBLEM_RESPONSES},
)
def survey_responses(
    request: HttpRequest,
    survey_id: int,
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
) -> Any:
    """The answers of the contacts the user may see, newest first."""
    survey = selectors.survey_get(request.user, survey_id)
    page = selectors.survey_responses(request.user, survey, cursor=cursor, limit=limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get(
    "/contacts/{contact_id}/survey-answers",
    response={200: list[ResponseOut], **PROBLEM_RESPONSES},
)
def contact_survey_answers(request: HttpRequest, contact_id: int) -> Any:
    """The surveys a contact answered, with the answers."""
    contact = client_selectors.contact_get(request.user, contact_id)
    return selectors.contact_survey_answers(request.user, contact)
