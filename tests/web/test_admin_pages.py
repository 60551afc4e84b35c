"""Administration pages: users, roles, teams, offices, legal entities and custom fields —
for administrators only (404 for everyone else), every write audited."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from perpetuum.core.access import ROLE_CODES, SCOPED_ENTITIES
from perpetuum.core.models import AuditEvent, CustomFieldDefinition
from perpetuum.org.models import LegalEntity, Office, Role, Team, User
from perpetuum.web.views import admin_pages
from tests.factories import CustomFieldDefinitionFactory
from tests.web.test_cards import XSS

pytestmark = pytest.mark.django_db


def _client(user: Any, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def admin_state() -> dict[str, Any]:
    return {
        "audit": AuditEvent.objects.count(),
        "users": list(
            User.objects.order_by("pk").values_list(
                "pk", "username", "is_active", "role_id", "office_id", "legal_entity_id"
            )
        ),
        "roles": list(Role.objects.order_by("pk").values_list("pk", "name", "permissions")),
        "organisation": [
            list(model.all_objects.order_by("pk").values_list("pk", "name", "version"))
            for model in (LegalEntity, Office, Team)
        ],
        "fields": list(
            CustomFieldDefinition.all_objects.order_by("pk").values_list(
                "pk", "label", "version", "deleted_at"
            )
        ),
    }


def admin_requests(org: Any, target: Any) -> list[tuple[str, str, dict[str, Any]]]:
    """Every administration route, with data that an administrator's request would save."""
    role = Role.objects.get(code="read_only")
    definition = CustomFieldDefinitionFactory(key="segment", label="Segment")
    matrix = {
        f"{entity}__{action}": "own"
        for entity in SCOPED_ENTITIES.values()
        for action in ("read", "write")
    }
    user_data = {
        "username": "neu",
        "first_name": "Neu",
        "role": role.pk,
        "office": org.berlin.pk,
        "language": "de",
        "password": "Sehr-geheim-42",
    }
    return [
        ("get", "/administration/", {}),
        ("get", "/administration/users/", {}),
        ("get", "/administration/users/new/", {}),
        ("post", "/administration/users/new/", user_data),
        ("get", f"/administration/users/{target.pk}/", {}),
        ("post", f"/administration/users/{target.pk}/", {**user_data, "username": "umbenannt"}),
        ("post", f"/administration/users/{target.pk}/active/", {"is_active": "0"}),
        ("get", "/administration/roles/", {}),
        ("get", "/administration/roles/new/", {}),
        ("post", "/administration/roles/new/", {"code": "auditor", "name": "Auditor", **matrix}),
        ("get", f"/administration/roles/{role.pk}/", {}),
        ("post", f"/administration/roles/{role.pk}/", {"name": "Nur lesen", **matrix}),
        ("get", "/administration/teams/", {}),
        ("get", "/administration/teams/new/", {}),
        ("post", "/administration/teams/new/", {"name": "Hamburg sales", "office": org.berlin.pk}),
        ("get", f"/administration/teams/{org.berlin_sales.pk}/", {}),
        (
            "post",
            f"/administration/teams/{org.berlin_sales.pk}/",
            {"name": "Berlin Vertrieb", "office": org.berlin.pk, "version": 1},
        ),
        ("get", "/administration/offices/", {}),
        ("get", "/administration/offices/new/", {}),
        (
            "post",
            "/administration/offices/new/",
            {"name": "Hamburg", "city": "Hamburg", "country": "DE", "legal_entity": org.gmbh.pk},
        ),
        ("get", f"/administration/offices/{org.munich.pk}/", {}),
        (
            "post",
            f"/administration/offices/{org.munich.pk}/",
            {
                "name": "München",
                "city": "München",
                "country": "DE",
                "legal_entity": org.gmbh.pk,
                "version": 1,
            },
        ),
        ("get", "/administration/legal-entities/", {}),
        ("get", "/administration/legal-entities/new/", {}),
        (
            "post",
            "/administration/legal-entities/new/",
            {"name": "Perpetuum SARL", "country": "FR", "base_currency": "EUR"},
        ),
        ("get", f"/administration/legal-entities/{org.ooo.pk}/", {}),
        (
            "post",
            f"/administration/legal-entities/{org.ooo.pk}/",
            {"name": "Perpetuum LLC", "country": "RU", "base_currency": "RUB", "version": 1},
        ),
        ("get", "/administration/custom-fields/", {}),
        ("get", "/administration/custom-fields/new/", {}),
        (
            "post",
            "/administration/custom-fields/new/",
            {
                "entity": "contact",
                "key": "hobby",
                "label": "Hobby",
                "field_type": "text",
                "position": 0,
            },
        ),
        ("get", f"/administration/custom-fields/{definition.pk}/", {}),
        (
            "post",
            f"/administration/custom-fields/{definition.pk}/",
            {"label": "Segment (A–C)", "position": 1, "version": definition.version},
        ),
        ("post", f"/administration/custom-fields/{definition.pk}/delete/", {}),
    ]


def test_every_administration_route_is_in_the_matrix(org, administrator):
    target = User.objects.get(username="admin")
    tested = {
        re.sub(r"/\d+/", "/<int:pk>/", url) for _method, url, _data in admin_requests(org, target)
    }
    routes = {"/" + str(pattern.pattern) for pattern in admin_pages.urlpatterns}
    assert routes == tested


@pytest.mark.parametrize("role", [code for code in ROLE_CODES if code != "administrator"])
def test_administration_does_not_exist_for_other_roles(role, make_user, org):
    user = make_user(role)
    target = make_user("sales_representative", username="target")
    client = _client(user)
    requests = admin_requests(org, target)
    before = admin_state()
    for method, url, data in requests:
        assert getattr(client, method)(url, data).status_code == 404, (role, method, url)
    assert admin_state() == before


def test_an_administrator_uses_every_route(administrator, make_user, org):
    target = make_user("sales_representative", username="target")
    client = _client(administrator)
    for method, url, data in admin_requests(org, target):
        response = getattr(client, method)(url, data)
        expected = 302 if method == "post" or url == "/administration/" else 200
        assert response.status_code == expected, (url, response.content.decode()[-2000:])
    assert User.objects.get(username="neu").check_password("Sehr-geheim-42")
    target.refresh_from_db()
    assert (target.username, target.is_active) == ("umbenannt", False)
    assert Role.objects.get(code="auditor").permissions["lead"] == {"read": "own", "write": "own"}
    assert Role.objects.get(code="read_only").name == "Nur lesen"
    assert Team.objects.filter(name__in=["Hamburg sales", "Berlin Vertrieb"]).count() == 2
    assert Office.objects.get(pk=org.munich.pk).name == "München"
    assert LegalEntity.objects.filter(name__in=["Perpetuum SARL", "Perpetuum LLC"]).count() == 2
    assert CustomFieldDefinition.objects.filter(key="hobby", entity="contact").count() == 1
    assert CustomFieldDefinition.all_objects.get(key="segment").deleted_at is not None
    actions = set(AuditEvent.objects.values_list("object_type", "action"))
    assert {
        ("org.user", "create"),
        ("org.user", "update"),
        ("org.role", "create"),
        ("org.role", "update"),
        ("org.team", "create"),
        ("org.office", "update"),
        ("org.legalentity", "create"),
        ("core.customfielddefinition", "delete"),
    } <= actions


def test_administration_posts_need_csrf_and_gets_change_nothing(administrator, make_user, org):
    target = make_user("sales_representative", username="target")
    requests = admin_requests(org, target)
    before = admin_state()
    client = _client(administrator, enforce_csrf_checks=True)
    for method, url, data in requests:
        response = getattr(client, method)(url, data)
        if method == "post":
            assert response.status_code == 403, url
        else:
            assert response.status_code in (200, 302), url
    assert admin_state() == before


def test_a_user_is_deactivated_never_deleted_and_an_administrator_keeps_their_role(
    administrator, make_user
):
    target = make_user("sales_representative", username="leaving")
    client = _client(administrator)
    client.post(f"/administration/users/{target.pk}/active/", {"is_active": "0"})
    target.refresh_from_db()
    assert target.is_active is False
    html = client.get(f"/administration/users/{target.pk}/").content.decode()
    assert "Reactivate" in html
    client.post(f"/administration/users/{target.pk}/active/", {"is_active": "1"})
    target.refresh_from_db()
    assert target.is_active is True
    response = client.post(f"/administration/users/{administrator.pk}/active/", {"is_active": "0"})
    assert response.status_code == 302
    administrator.refresh_from_db()
    assert administrator.is_active is True
    followed = client.get(response["Location"]).content.decode()
    assert "You cannot deactivate yourself." in followed


def test_a_new_users_password_is_checked(administrator, org):
    role = Role.objects.get(code="sales_representative")
    response = _client(administrator).post(
        "/administration/users/new/",
        {"username": "weak", "role": role.pk, "language": "en", "password": "123"},
    )
    assert response.status_code == 200
    assert "This password is too short." in response.content.decode()
    assert not User.objects.filter(username="weak").exists()


def test_a_role_may_not_change_more_than_it_sees(administrator):
    role = Role.objects.get(code="read_only")
    matrix = {
        f"{entity}__{action}": "team"
        for entity in SCOPED_ENTITIES.values()
        for action in ("read", "write")
    }
    matrix["lead__write"] = "all"
    response = _client(administrator).post(
        f"/administration/roles/{role.pk}/", {"name": "Broken", **matrix}
    )
    assert response.status_code == 200
    assert "One cannot change more than one can see." in response.content.decode()
    role.refresh_from_db()
    assert role.name == "Read-only"


def test_an_office_edit_that_collides_shows_the_other_change(administrator, make_user, org):
    from perpetuum.org import services as org_services

    other = make_user("administrator", username="zweite-admin")
    org_services.organisation_update(
        actor=other, instance=org.munich, data={"city": "Munich"}, expected_version=1
    )
    response = _client(administrator).post(
        f"/administration/offices/{org.munich.pk}/",
        {
            "name": "München Süd",
            "city": "München",
            "country": "DE",
            "legal_entity": org.gmbh.pk,
            "version": 1,
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "changed since you opened it" in html and "zweite-admin" in html
    assert 'value="München Süd"' in html
    org.munich.refresh_from_db()
    assert (org.munich.name, org.munich.city) == ("Munich", "Munich")


def test_custom_field_choices_are_required_for_choice_fields(administrator):
    response = _client(administrator).post(
        "/administration/custom-fields/new/",
        {
            "entity": "account",
            "key": "tier",
            "label": "Tier",
            "field_type": "choice",
            "position": 0,
        },
    )
    assert "Give a list of distinct choices." in response.content.decode()
    assert CustomFieldDefinition.objects.count() == 0


def test_administration_pages_escape_stored_script(administrator, make_user):
    make_user("sales_representative", username="xss", first_name=XSS[0], last_name=XSS[1])
    CustomFieldDefinitionFactory(key="xss", label=XSS[0], help_text=XSS[1], choices=[])
    client = _client(administrator)
    for url in ("/administration/users/", "/administration/custom-fields/"):
        html = client.get(url).content.decode()
        for payload in XSS:
            assert payload not in html, url
