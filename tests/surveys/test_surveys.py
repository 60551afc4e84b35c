"""Surveys: building them, sending links, the public page (token, once per link, no
sign-in, CSRF), answers on the contact and its timeline, scope and audit."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from perpetuum.core.errors import Conflict, NotFound, PermissionDenied
from perpetuum.core.models import AuditEvent
from perpetuum.surveys import selectors, services
from perpetuum.surveys.models import SurveyInvitation, SurveyResponse
from perpetuum.timeline.models import Interaction
from tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db

QUESTIONS = [
    {"kind": "text", "text": "Was können wir besser machen?"},
    {
        "kind": "single",
        "text": "Wie haben Sie von uns erfahren?",
        "choices": ["Messe", "Web"],
        "is_required": True,
    },
    {
        "kind": "multiple",
        "text": "Welche Produkte nutzen Sie?",
        "choices": ["Pumpen", "Ventile", "Service"],
    },
    {"kind": "scale", "text": "Wie zufrieden sind Sie?", "scale_max": 5, "is_required": True},
]


@pytest.fixture
def survey(sales_rep):
    return services.survey_create(
        actor=sales_rep,
        data={"title": "Kundenzufriedenheit", "language": "de", "questions": QUESTIONS},
    )


@pytest.fixture
def contact(sales_rep):
    account = AccountFactory(owner=sales_rep, name="Groß & Söhne")
    return ContactFactory(
        owner=sales_rep,
        account=account,
        first_name="Jürgen",
        last_name="Weiß",
        emails=["juergen@example.com"],
    )


def _link(survey, actor, contact, *, by_email=False) -> str:
    (invited,) = services.survey_send(
        actor=actor,
        survey=survey,
        contact_ids=[contact.pk],
        link_for=lambda token: reverse("surveys:public", args=[token]),
        by_email=by_email,
    )
    return invited.link


def _answers(survey) -> dict[str, Any]:
    questions = list(survey.questions.all())
    return {
        f"question_{questions[0].pk}": "Schnellere Lieferung",
        f"question_{questions[1].pk}": "Messe",
        f"question_{questions[2].pk}": ["Pumpen", "Service"],
        f"question_{questions[3].pk}": "4",
    }


def _csrf(client: Client, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]


def test_a_contact_answers_once_through_the_link_without_signing_in(survey, sales_rep, contact):
    link = _link(survey, sales_rep, contact)
    client = Client(enforce_csrf_checks=True)
    token = _csrf(client, link)
    page = client.get(link).content.decode()
    assert "Wie zufrieden sind Sie?" in page
    assert "<script" not in page.split("<body", 1)[1].split("</main>")[0]

    answered = client.post(link, {**_answers(survey), "csrfmiddlewaretoken": token})

    assert answered.status_code == 200
    assert "Vielen Dank" in answered.content.decode() or "Thank you" in answered.content.decode()
    response = SurveyResponse.objects.get(contact=contact)
    assert [(a.question_text, a.value, a.display) for a in response.answers.all()] == [
        ("Was können wir besser machen?", "Schnellere Lieferung", "Schnellere Lieferung"),
        ("Wie haben Sie von uns erfahren?", "Messe", "Messe"),
        ("Welche Produkte nutzen Sie?", ["Pumpen", "Service"], "Pumpen, Service"),
        ("Wie zufrieden sind Sie?", 4, "4 / 5"),
    ]

    again = client.post(link, {**_answers(survey), "csrfmiddlewaretoken": token})

    assert again.status_code == 409
    assert SurveyResponse.objects.filter(contact=contact).count() == 1


def test_the_answer_form_refuses_a_post_without_the_csrf_token(survey, sales_rep, contact):
    link = _link(survey, sales_rep, contact)
    client = Client(enforce_csrf_checks=True)

    refused = client.post(link, _answers(survey))

    assert refused.status_code == 403
    assert SurveyResponse.objects.count() == 0


def test_a_wrong_token_is_not_found(survey, client):
    assert client.get("/s/not-a-real-token/").status_code == 404
    with pytest.raises(NotFound):
        services.survey_answer(token="not-a-real-token", answers={})


def test_missing_required_answers_are_shown_on_the_page(survey, sales_rep, contact):
    link = _link(survey, sales_rep, contact)
    client = Client()

    page = client.post(link, {})

    assert page.status_code == 400
    assert SurveyResponse.objects.count() == 0
    invitation = SurveyInvitation.objects.get(contact=contact)
    assert invitation.response_count == 0


def test_several_answers_when_the_survey_allows_them(survey, sales_rep, contact):
    services.survey_update(
        actor=sales_rep,
        survey=survey,
        data={"allows_several_responses": True},
        expected_version=survey.version,
    )
    token = _link(survey, sales_rep, contact).rstrip("/").rsplit("/", 1)[-1]
    answers = {key.removeprefix("question_"): value for key, value in _answers(survey).items()}

    services.survey_answer(token=token, answers=answers)
    services.survey_answer(token=token, answers=answers)

    assert SurveyResponse.objects.filter(contact=contact).count() == 2


def test_an_invalid_choice_is_refused(survey, sales_rep, contact):
    token = _link(survey, sales_rep, contact).rstrip("/").rsplit("/", 1)[-1]
    questions = list(survey.questions.all())

    with pytest.raises(ValidationError) as refused:
        services.survey_answer(
            token=token,
            answers={str(questions[1].pk): "Fernsehen", str(questions[3].pk): 9},
        )

    assert set(refused.value.message_dict) == {
        f"question_{questions[1].pk}",
        f"question_{questions[3].pk}",
    }


def test_answers_are_on_the_contact_its_timeline_and_the_audit_trail(
    survey, sales_rep, contact, make_user, org
):
    token = _link(survey, sales_rep, contact).rstrip("/").rsplit("/", 1)[-1]
    answers = {key.removeprefix("question_"): value for key, value in _answers(survey).items()}
    events = AuditEvent.objects.count()

    response = services.survey_answer(token=token, answers=answers)

    # One event for the response, one for its timeline entry.
    assert AuditEvent.objects.count() == events + 2
    event = AuditEvent.objects.get(object_type="surveys.surveyresponse")
    assert (event.action, event.actor_name) == ("create", "system")
    entry = Interaction.objects.get(source="survey")
    assert entry.external_id == f"survey-response:{response.pk}"
    assert (entry.contact_id, entry.account_id, entry.direction) == (
        contact.pk,
        contact.account_id,
        "inbound",
    )
    assert entry.owner_id == sales_rep.pk
    assert "Wie zufrieden sind Sie?\n→ 4 / 5" in entry.body
    assert selectors.contact_survey_answers(sales_rep, contact) == [response]
    outsider = make_user("sales_manager", office=org.moscow, teams=[org.moscow_sales])
    with pytest.raises(NotFound):
        selectors.contact_survey_answers(outsider, contact)
    assert selectors.survey_responses(outsider, survey).items == []


def test_the_contact_fragment_shows_the_answers(survey, sales_rep, contact, rf):
    from django.template.loader import render_to_string

    token = _link(survey, sales_rep, contact).rstrip("/").rsplit("/", 1)[-1]
    answers = {key.removeprefix("question_"): value for key, value in _answers(survey).items()}
    services.survey_answer(token=token, answers=answers)

    html = render_to_string(
        "surveys/_contact_answers.html",
        {"survey_answers": selectors.contact_survey_answers(sales_rep, contact)},
    )

    assert "Kundenzufriedenheit" in html
    assert "Pumpen, Service" in html


def test_sending_by_email_puts_the_link_in_the_message_and_on_the_timeline(
    survey, sales_rep, contact, mailoutbox
):
    link = _link(survey, sales_rep, contact, by_email=True)

    (message,) = mailoutbox
    assert message.to == ["juergen@example.com"]
    assert link in message.body
    assert Interaction.objects.filter(contact=contact, kind="email").count() == 1
    invitation = SurveyInvitation.objects.get(contact=contact)
    assert invitation.token_hash not in link
    assert len(invitation.token_hash) == 64


def test_a_survey_goes_only_to_contacts_in_scope(survey, make_user, org, mailoutbox):
    owner = make_user("sales_representative", office=org.moscow, teams=[org.moscow_sales])
    hidden = ContactFactory(owner=owner, emails=["x@example.com"])
    sender = make_user("sales_representative")

    with pytest.raises(ValidationError):
        _link(survey, sender, hidden, by_email=True)

    assert mailoutbox == []
    assert SurveyInvitation.objects.count() == 0


def test_only_the_author_or_an_administrator_edits(survey, make_user, administrator):
    colleague = make_user("sales_representative")

    with pytest.raises(PermissionDenied):
        services.survey_update(
            actor=colleague, survey=survey, data={"title": "Neu"}, expected_version=None
        )
    updated = services.survey_update(
        actor=administrator,
        survey=survey,
        data={
            "questions": [
                {"kind": "scale", "text": "Wie wahrscheinlich empfehlen Sie uns?", "scale_max": 10}
            ]
        },
        expected_version=survey.version,
    )

    assert [q.text for q in updated.questions.all()] == ["Wie wahrscheinlich empfehlen Sie uns?"]
    assert updated.version == survey.version + 1
    assert (
        AuditEvent.objects.filter(
            object_type="surveys.survey", object_id=str(survey.pk), action="update"
        ).count()
        == 1
    )


def test_a_closed_survey_is_not_sent_nor_answered(survey, sales_rep, contact):
    token = _link(survey, sales_rep, contact).rstrip("/").rsplit("/", 1)[-1]
    services.survey_update(
        actor=sales_rep, survey=survey, data={"is_active": False}, expected_version=None
    )
    answers = {key.removeprefix("question_"): value for key, value in _answers(survey).items()}

    with pytest.raises(Conflict):
        services.survey_answer(token=token, answers=answers)
    with pytest.raises(Conflict):
        _link(survey, sales_rep, contact)


def test_a_choice_question_needs_two_choices(sales_rep):
    with pytest.raises(ValidationError):
        services.survey_create(
            actor=sales_rep,
            data={"title": "X", "questions": [{"kind": "single", "text": "?", "choices": ["A"]}]},
        )


def test_the_builder_and_the_survey_page(client, sales_rep, contact):
    client.force_login(sales_rep)
    form = client.get("/surveys/new/")
    assert form.status_code == 200

    saved = client.post(
        "/surveys/new/",
        {
            "title": "Messe-Feedback",
            "language": "de",
            "is_active": "on",
            "questions-TOTAL_FORMS": "2",
            "questions-INITIAL_FORMS": "0",
            "questions-0-text": "Wie war unser Stand?",
            "questions-0-kind": "scale",
            "questions-0-scale_max": "5",
            "questions-1-text": "",
            "questions-1-kind": "text",
            "questions-1-scale_max": "5",
        },
    )

    assert saved.status_code == 302
    page = client.get(saved["Location"])
    assert page.status_code == 200
    assert "Wie war unser Stand?" in page.content.decode()
    assert client.get("/surveys/").status_code == 200


def test_a_survey_with_answers_is_closed_not_deleted(survey, sales_rep, contact):
    token = _link(survey, sales_rep, contact).rstrip("/").rsplit("/", 1)[-1]
    answers = {key.removeprefix("question_"): value for key, value in _answers(survey).items()}
    services.survey_answer(token=token, answers=answers)

    with pytest.raises(Conflict):
        services.survey_delete(actor=sales_rep, survey=survey)

    assert SurveyResponse.objects.filter(survey=survey).count() == 1


def test_a_merged_contact_s_answers_move_to_the_survivor(survey, sales_rep, contact):
    token = _link(survey, sales_rep, contact).rstrip("/").rsplit("/", 1)[-1]
    answers = {key.removeprefix("question_"): value for key, value in _answers(survey).items()}
    response = services.survey_answer(token=token, answers=answers)
    survivor = ContactFactory(owner=sales_rep)

    moved = services.contact_survey_answers_move(from_contact=contact, to_contact=survivor)

    assert moved == {"invitations": 1, "responses": 1}
    assert selectors.contact_survey_answers(sales_rep, survivor) == [response]
