"""The surveys API: every route × every role, with a meta-test that fails on a route of the
surveys router without an expectation; answers read back through the API."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from ninja.utils import normalize_path

import perpetuum.urls  # noqa: F401  (mounts the API's routers)
from perpetuum.api import api
from perpetuum.core.models import AuditEvent
from perpetuum.surveys import services
from perpetuum.surveys.api import router as surveys_router
from perpetuum.surveys.models import Survey, SurveyInvitation
from tests.factories import ContactFactory, UserFactory

ROLES = [
    "administrator",
    "executive",
    "sales_manager",
    "sales_representative",
    "support_agent",
    "marketer",
    "read_only",
]
READ_ALL = {"administrator", "executive"}
MAY_SEND = set(ROLES) - {"read_only"}
MISSING_ID = 10**9
S = "/api/v1/surveys/{survey_id}"

# (method, path) → (status on the viewer's own contact, the roles that get it, whether the
# route is tried on a contact of the other legal entity too).
ROUTES: dict[tuple[str, str], tuple[int, set[str] | None, bool]] = {
    ("GET", "/api/v1/surveys"): (200, None, False),
    ("POST", "/api/v1/surveys"): (201, MAY_SEND, False),
    ("GET", S): (200, None, False),
    ("PATCH", S): (200, {"administrator"}, False),
    ("DELETE", S): (204, {"administrator"}, False),
    ("POST", f"{S}/send"): (200, MAY_SEND, True),
    ("GET", f"{S}/responses"): (200, None, False),
    ("GET", "/api/v1/contacts/{contact_id}/survey-answers"): (200, None, True),
}


def live_routes() -> set[tuple[str, str]]:
    routes = set()
    for prefix, router in api._routers:
        if router is not surveys_router:
            continue
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    routes.add((method, normalize_path(f"/api/{prefix}/{path}")))
    return routes


def test_every_surveys_route_has_an_expectation() -> None:
    assert sorted(live_routes() ^ set(ROUTES)) == []


def _body(method: str, path: str, contact: Any) -> Any:
    if path.endswith("/send"):
        return {"contact_ids": [contact.pk], "by_email": False}
    if method == "POST":
        return {"title": "Matrix", "questions": [{"kind": "text", "text": "Why?"}]}
    if method == "PATCH":
        return {"title": "Renamed"}
    return None


def _state() -> tuple[int, ...]:
    return (
        AuditEvent.objects.count(),
        Survey.all_objects.count(),
        SurveyInvitation.objects.count(),
        sum(Survey.all_objects.values_list("version", flat=True)),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_the_role_as_its_scope_says(org: Any, role: str) -> None:
    """Each route is tried in a savepoint that is rolled back, so every one starts from the
    same survey and contacts."""
    author = UserFactory(role="sales_representative", office=org.berlin, teams=[org.berlin_sales])
    survey = services.survey_create(
        actor=author,
        data={"title": "Kundenzufriedenheit", "questions": [{"kind": "text", "text": "Warum?"}]},
    )
    viewer = UserFactory(role=role, office=org.berlin, teams=[org.berlin_sales])
    stranger = UserFactory(role="sales_manager", office=org.moscow, teams=[org.moscow_sales])
    contacts = {
        "own": ContactFactory(owner=viewer, emails=["own@example.com"]),
        "hidden": ContactFactory(owner=stranger, emails=["hidden@example.com"]),
    }
    client = Client()
    client.force_login(viewer)
    for route in sorted(ROUTES):
        for bucket in ("own", "hidden") if ROUTES[route][2] else ("own",):
            with transaction.atomic():
                _check(client, role, route, survey, contacts[bucket], bucket)
                transaction.set_rollback(True)


def _check(
    client: Client, role: str, route: tuple[str, str], survey: Any, contact: Any, bucket: str
) -> None:
    method, template = route
    ok, allowed, _hidden_too = ROUTES[route]
    status = ok if allowed is None or role in allowed else 403
    if bucket == "hidden" and role not in READ_ALL and status != 403:
        status = 422 if template.endswith("/send") else 404
    ids = {"survey_id": survey.pk, "contact_id": contact.pk}
    path = re.sub(r"\{(\w+)\}", lambda match: str(ids[match.group(1)]), template)
    headers = {"If-Match": Survey.objects.get(pk=survey.pk).etag} if method == "PATCH" else {}
    before = _state()
    body = _body(method, template, contact)
    response = client.generic(
        method,
        path,
        "" if body is None else json.dumps(body),
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == status, (role, bucket, path, response.content[:300])
    if status >= 400:
        assert _state() == before
    if status == 404:
        missing = client.get(path.replace(str(contact.pk), str(MISSING_ID)))
        assert missing.json() == response.json()


@pytest.mark.django_db
def test_links_sent_through_the_api_are_answered_and_read_back(sales_rep: Any) -> None:
    contact = ContactFactory(owner=sales_rep, emails=["anna@example.com"])
    client = Client()
    client.force_login(sales_rep)
    created = client.post(
        "/api/v1/surveys",
        {
            "title": "Messe",
            "language": "de",
            "questions": [
                {"kind": "single", "text": "Stand?", "choices": ["gut", "schlecht"]},
                {"kind": "scale", "text": "Note?", "scale_max": 10, "is_required": True},
            ],
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    survey = created.json()
    sent = client.post(
        f"/api/v1/surveys/{survey['id']}/send",
        {"contact_ids": [contact.pk], "by_email": False},
        content_type="application/json",
    )
    (invited,) = sent.json()
    assert invited["link"].startswith("http://testserver/s/")
    token = invited["link"].rstrip("/").rsplit("/", 1)[-1]
    first, second = survey["questions"]
    services.survey_answer(token=token, answers={str(first["id"]): "gut", str(second["id"]): 9})

    answers = client.get(f"/api/v1/contacts/{contact.pk}/survey-answers").json()
    responses = client.get(f"/api/v1/surveys/{survey['id']}/responses").json()["items"]

    assert [(a["question_text"], a["value"], a["display"]) for a in answers[0]["answers"]] == [
        ("Stand?", "gut", "gut"),
        ("Note?", 9, "9 / 10"),
    ]
    assert [item["id"] for item in responses] == [answers[0]["id"]]
