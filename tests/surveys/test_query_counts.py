"""The answers of a survey and of a contact cost the same queries however many there are."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from perpetuum.surveys import services
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def _queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.content[:300]
    return len(captured)


def _answer(survey: Any, actor: Any, contact: Any) -> None:
    (invited,) = services.survey_send(
        actor=actor, survey=survey, contact_ids=[contact.pk], link_for=str, by_email=False
    )
    question = survey.questions.get()
    services.survey_answer(token=invited.link, answers={str(question.pk): 3})


def test_answers_do_not_cost_a_query_each(sales_rep: Any) -> None:
    survey = services.survey_create(
        actor=sales_rep,
        data={
            "title": "NPS",
            "allows_several_responses": True,
            "questions": [{"kind": "scale", "text": "Score?", "scale_max": 10}],
        },
    )
    contact = ContactFactory(owner=sales_rep)
    client = Client()
    client.force_login(sales_rep)
    _answer(survey, sales_rep, contact)
    paths = [
        f"/api/v1/surveys/{survey.pk}/responses",
        f"/api/v1/contacts/{contact.pk}/survey-answers",
        f"/surveys/{survey.pk}/",
    ]
    before = [_queries(client, path) for path in paths]

    for _ in range(4):
        _answer(survey, sales_rep, contact)

    assert [_queries(client, path) for path in paths] == before
