"""Duplicate detection: name keys, the scan and its stored pairs, the create-time check,
dismissal, the labelled evaluation set, the task and the API routes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from perpetuum.clients import services as clients
from perpetuum.clients.duplicates import (
    account_name_key,
    contact_name_key,
    duplicate_candidate_get,
    duplicate_candidates,
    duplicate_dismiss,
    duplicate_scan,
    find_duplicates_for,
    name_key,
)
from perpetuum.clients.models import Account, Contact, DuplicateCandidate
from perpetuum.clients.tasks import scan_duplicates
from perpetuum.core.errors import Conflict, NotFound, PermissionDenied
from perpetuum.core.models import AuditEvent
from perpetuum.core.services import api_token_create
from tests.api.conftest import ApiClient
from tests.clients.dedup_eval import (
    PRECISION_TARGET,
    RECALL_TARGET,
    build_eval_set,
    evaluate,
)
from tests.conftest import Org
from tests.factories import AccountFactory, ContactFactory

# --- Name keys (no database) ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Umlaut spellings meet.
        ("Müller", "muler"),
        ("Mueller", "muler"),
        ("Muller", "muler"),
        ("MÜLLER", "muler"),
        ("Schröder", "shroder"),
        ("Schroeder", "shroder"),
        ("Weiß", "veis"),
        ("Weiss", "veis"),
        # Russian in Cyrillic, English, German and French transliteration.
        ("Иванов", "ivanov"),
        ("Ivanov", "ivanov"),
        ("Iwanow", "ivanov"),
        ("Ivanoff", "ivanov"),
        ("Чайковский", "chaikovski"),
        ("Chaykovskiy", "chaikovski"),
        ("Tschaikowski", "chaikovski"),
        ("Tchaïkovski", "chaikovski"),
        ("Юрий", "iuri"),
        ("Yuriy", "iuri"),
        ("Jurij", "iuri"),
        ("Iouri", "iuri"),
        ("Наталья", "natalia"),
        ("Natalja", "natalia"),
        ("Алексеев", "aleksev"),
        ("Alekseyev", "aleksev"),
        ("Alexejew", "aleksev"),
        ("Щукин", "shchukin"),
        ("Schtschukin", "shchukin"),
        ("Евгений", "evgeni"),
        ("Yevgeny", "evgeni"),
        ("Jewgeni", "evgeni"),
        ("Evguéni", "evgeni"),
        ("Ёлкин", "elkin"),
        # Word order does not matter; accents and case do not either.
        ("Ivan Petrov", "ivan petrov"),
        ("Petrov Ivan", "ivan petrov"),
        ("Иван Петров", "ivan petrov"),
        ("Petrow, Iwan", "ivan petrov"),
        ("Élodie Lefèvre", "elodie lefevre"),
        ("Sophia Stephan", "sofia stefan"),
        ("Alexander", "aleksander"),
        ("", ""),
    ],
)
def test_the_name_key_of_a_person(text: str, expected: str) -> None:
    assert name_key(text, "contact") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ООО «Ромашка»", "romashka"),
        ("Romashka LLC", "romashka"),
        ("Ромашка АО", "romashka"),
        ("ОАО Ромашка", "romashka"),
        ("ЗАО «Ромашка»", "romashka"),
        ('ПАО "Ромашка"', "romashka"),
        ("OOO Romashka", "romashka"),
        ("ZAO Romashka", "romashka"),
        ("PAO Romashka", "romashka"),
        ("Общество с ограниченной ответственностью «Вектор»", "vektor"),
        ("Публичное акционерное общество «Газпром»", "gazprom"),
        ("ИП Иванов", "ivanov"),
        ("Müller GmbH", "muler"),
        ("Mueller AG", "muler"),
        ("Müller GmbH & Co. KG", "muler"),
        ("Müller OHG", "muler"),
        ("Weber UG (haftungsbeschränkt)", "veber"),
        ("Bäckerei Müller e.V.", "backerei muler"),
        ("Müller Bäckerei", "backerei muler"),
        ("Dupont S.A.R.L.", "dupont"),
        ("Dupont SARL", "dupont"),
        ("Dupont SA", "dupont"),
        ("Dupont S.A.S.", "dupont"),
        ("Acme Ltd", "acme"),
        ("Acme Inc.", "acme"),
        ("Acme Corp", "acme"),
        ("Acme PLC", "acme"),
        ("Acme LLC", "acme"),
        ("AG", "ag"),
    ],
)
def test_the_name_key_of_a_company_drops_legal_forms_and_quotes(text: str, expected: str) -> None:
    assert name_key(text, "account") == expected


def test_a_person_keeps_words_that_are_legal_forms_of_companies() -> None:
    assert name_key("Sa Ag", "contact") == "ag sa"


# --- Stored name keys ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_services_store_the_name_key(sales_rep: Any) -> None:
    contact = clients.contact_create(
        actor=sales_rep,
        data={"first_name": "Иван", "middle_name": "Сергеевич", "last_name": "Петров"},
    )
    account = clients.account_create(actor=sales_rep, data={"name": "ООО «Ромашка»"})

    assert Contact.objects.get(pk=contact.pk).name_key == "ivan petrov"
    assert Account.objects.get(pk=account.pk).name_key == "romashka"

    clients.contact_update(
        actor=sales_rep,
        contact=contact,
        data={"last_name": "Iwanow"},
        expected_version=contact.version,
    )
    assert Contact.objects.get(pk=contact.pk).name_key == contact_name_key("Ivan", "Ivanov")
    assert account_name_key("Romashka LLC") == "romashka"


# --- The scan ------------------------------------------------------------------------------


def _pairs(entity: str) -> set[tuple[int, int]]:
    return set(DuplicateCandidate.objects.filter(entity=entity).values_list("left_id", "right_id"))


def _pair(first: Any, second: Any) -> tuple[int, int]:
    return (min(first.pk, second.pk), max(first.pk, second.pk))


@pytest.fixture
def planted_contacts(sales_rep: Any) -> dict[str, Any]:
    """Contacts with planted duplicates and look-alikes that are not."""
    firm = AccountFactory(owner=sales_rep, name="Firma GmbH")
    other_firm = AccountFactory(owner=sales_rep, name="Andere AG")

    def make(first: str, last: str, **data: Any) -> Contact:
        return ContactFactory(owner=sales_rep, first_name=first, last_name=last, **data)

    return {
        # Duplicates.
        "petrov": make("Иван", "Петров", emails=["ivan@petrov.ru"]),
        "petrow": make("Iwan", "Petrow"),
        "mueller": make("Anna", "Müller", emails=["anna.mueller@firma.de"]),
        "muller": make("Anna", "Mueller", emails=["Anna.Mueller@Firma.DE"]),
        "smirnova": make("Olga", "Smirnova", phones=["+49 30 1234567"]),
        "swapped": make("Smirnova", "Olga", phones=["030 1234567"]),
        "schneider": make("Katharina", "Schneider", account=firm),
        "typo": make("Katharina", "Schnieder", account=firm),
        # Look-alikes that are not duplicates.
        "ivan_sidorov": make("Ivan", "Sidorov", emails=["ivan@sidorov.ru"]),
        "oleg_sidorov": make("Oleg", "Sidorov", emails=["oleg@sidorov.ru"]),
        "dupont_here": make("Jean", "Dupont", account=firm),
        "dupont_there": make("Jean", "Dupont", account=other_firm),
        "colleague_a": make("Hans", "Becker", phones=["+49 30 9999999"], account=firm),
        "colleague_b": make("Uwe", "Kramer", phones=["+49 30 9999999"], account=firm),
    }


@pytest.mark.django_db
def test_the_scan_finds_the_planted_duplicates_and_not_the_look_alikes(
    planted_contacts: dict[str, Any],
) -> None:
    c = planted_contacts

    result = duplicate_scan("contact")

    assert _pairs("contact") == {
        _pair(c["petrov"], c["petrow"]),
        _pair(c["mueller"], c["muller"]),
        _pair(c["smirnova"], c["swapped"]),
        _pair(c["schneider"], c["typo"]),
    }
    assert (result.records, result.pairs, result.created) == (14, 4, 4)
    reasons = dict(DuplicateCandidate.objects.values_list("left_id", "reasons").order_by("left_id"))
    assert reasons[min(c["mueller"].pk, c["muller"].pk)] == ["same_email", "similar_name"]
    assert reasons[min(c["smirnova"].pk, c["swapped"].pk)] == ["same_phone", "similar_name"]
    assert reasons[min(c["petrov"].pk, c["petrow"].pk)] == ["similar_name"]


@pytest.mark.django_db
def test_the_scan_finds_duplicate_accounts(sales_rep: Any) -> None:
    def make(name: str, **data: Any) -> Account:
        return AccountFactory(owner=sales_rep, name=name, **data)

    romashka = make("ООО «Ромашка»", country="RU", city="Москва")
    romashka_llc = make("Romashka LLC", country="RU")
    by_tax_id = make("Siemens AG", tax_id="DE129274202")
    same_tax_id = make("Siemens Aktiengesellschaft Berlin", tax_id="DE129274202")
    mueller_berlin = make("Müller GmbH", city="Berlin", tax_id="DE136695976")
    mueller_hamburg = make("Müller AG", city="Hamburg", tax_id="DE814584193")
    make("Weber Logistik GmbH", city="Köln")
    make("Weber Logistik GmbH", city="Leipzig")

    duplicate_scan("account")

    assert _pairs("account") == {
        _pair(romashka, romashka_llc),
        _pair(by_tax_id, same_tax_id),
    }
    assert _pair(mueller_berlin, mueller_hamburg) not in _pairs("account")


@pytest.mark.django_db
def test_the_scan_is_idempotent_and_keeps_dismissed_pairs_dismissed(
    planted_contacts: dict[str, Any], sales_rep: Any
) -> None:
    first = duplicate_scan("contact")
    candidate = DuplicateCandidate.objects.order_by("pk").first()
    duplicate_dismiss(actor=sales_rep, candidate=candidate)

    second = duplicate_scan("contact")

    assert (first.created, second.created, second.removed) == (4, 0, 0)
    assert DuplicateCandidate.objects.count() == 4
    assert DuplicateCandidate.objects.get(pk=candidate.pk).status == "dismissed"
    assert DuplicateCandidate.objects.filter(status="open").count() == 3


@pytest.mark.django_db
def test_a_second_scan_marks_merged_pairs_and_removes_those_that_no_longer_match(
    planted_contacts: dict[str, Any], sales_rep: Any
) -> None:
    c = planted_contacts
    duplicate_scan("contact")
    clients.contact_merge(actor=sales_rep, survivor=c["petrov"], other=c["petrow"])
    renamed = Contact.objects.get(pk=c["typo"].pk)
    clients.contact_update(
        actor=sales_rep,
        contact=renamed,
        data={"first_name": "Michael", "last_name": "Wagner"},
        expected_version=renamed.version,
    )

    result = duplicate_scan("contact")

    assert (result.marked_merged, result.removed, result.created) == (1, 1, 0)
    statuses = dict(DuplicateCandidate.objects.values_list("left_id", "status").order_by("left_id"))
    assert statuses == {
        min(c["petrov"].pk, c["petrow"].pk): "merged",
        min(c["mueller"].pk, c["muller"].pk): "open",
        min(c["smirnova"].pk, c["swapped"].pk): "open",
    }


@pytest.mark.django_db
def test_the_scan_stores_name_keys_that_bulk_loads_left_empty(sales_rep: Any) -> None:
    contact = ContactFactory(owner=sales_rep, first_name="Jürgen", last_name="Weiß")
    Contact.objects.filter(pk=contact.pk).update(name_key="")

    result = duplicate_scan("contact")
    again = duplicate_scan("contact")

    assert (result.refreshed_keys, again.refreshed_keys) == (1, 0)
    assert Contact.objects.get(pk=contact.pk).name_key == "iurgen veis"


@pytest.mark.django_db
def test_the_task_scans_and_is_safe_to_run_twice(planted_contacts: dict[str, Any]) -> None:
    first = scan_duplicates.enqueue("contact")
    second = scan_duplicates.enqueue("contact")

    assert (first.return_value["created"], second.return_value["created"]) == (4, 0)
    assert first.return_value["pairs"] == second.return_value["pairs"] == 4
    assert DuplicateCandidate.objects.count() == 4


# --- Reading pairs in the user's scope -----------------------------------------------------


@pytest.fixture
def scoped_pairs(org: Org, make_user: Callable[..., Any]) -> dict[str, Any]:
    """Two pairs: one inside the Berlin sales team, one half in Moscow."""
    rep = make_user("sales_representative")
    teammate = make_user("sales_representative")
    moscow = make_user("sales_representative", office=org.moscow, teams=[org.moscow_sales])
    own = ContactFactory(owner=rep, first_name="Anna", last_name="Schmidt")
    team = ContactFactory(owner=teammate, first_name="Anna", last_name="Schmitt")
    here = ContactFactory(owner=rep, first_name="Иван", last_name="Кузнецов")
    there = ContactFactory(owner=moscow, first_name="Ivan", last_name="Kuznetsov")
    duplicate_scan("contact")
    return {"rep": rep, "moscow": moscow, "inside": _pair(own, team), "across": _pair(here, there)}


def _page_pairs(page: Any) -> list[tuple[int, int]]:
    return [(item.left.pk, item.right.pk) for item in page.items]


@pytest.mark.django_db
def test_a_user_sees_only_pairs_whose_two_records_are_in_scope(
    scoped_pairs: dict[str, Any], administrator: Any
) -> None:
    rep, moscow = scoped_pairs["rep"], scoped_pairs["moscow"]

    assert _page_pairs(duplicate_candidates(rep, "contact")) == [scoped_pairs["inside"]]
    assert _page_pairs(duplicate_candidates(moscow, "contact")) == []
    assert sorted(_page_pairs(duplicate_candidates(administrator, "contact"))) == sorted(
        [scoped_pairs["inside"], scoped_pairs["across"]]
    )
    across = DuplicateCandidate.objects.get(left_id=scoped_pairs["across"][0])
    with pytest.raises(NotFound):
        duplicate_candidate_get(rep, across.pk)


@pytest.mark.django_db
def test_pairs_come_in_cursor_pages_best_first_with_both_records_loaded(
    planted_contacts: dict[str, Any], sales_rep: Any
) -> None:
    duplicate_scan("contact")

    first = duplicate_candidates(sales_rep, "contact", limit=3)
    with CaptureQueriesContext(connection) as queries:
        second = duplicate_candidates(sales_rep, "contact", limit=3, cursor=first.next_cursor)
        names = [(item.left.full_name, item.right.full_name) for item in second.items]

    scores = [item.score for item in [*first.items, *second.items]]
    assert len(first.items) == 3
    assert len(second.items) == 1
    assert second.next_cursor is None
    assert scores == sorted(scores, reverse=True)
    assert len(names) == 1
    assert len(queries) == 2  # the page, and both records of every pair with their account
    assert next(iter(first)) is first.items[0]  # the page iterates its items


# --- On create ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_find_duplicates_for_a_new_contact(org: Org, make_user: Callable[..., Any]) -> None:
    rep = make_user("sales_representative")
    moscow = make_user("sales_representative", office=org.moscow, teams=[org.moscow_sales])
    ivanov = ContactFactory(owner=rep, first_name="Иван", last_name="Иванов")
    mail = ContactFactory(owner=rep, first_name="Maria", last_name="Klein", emails=["m@k.de"])
    ContactFactory(owner=rep, first_name="Oleg", last_name="Ivanov")
    ContactFactory(owner=moscow, first_name="Petra", last_name="Lang", emails=["p@lang.de"])

    def found(**data: Any) -> list[tuple[int, list[str]]]:
        matches = find_duplicates_for(rep, "contact", data)
        return [(match.record.pk, match.reasons) for match in matches]

    assert found(first_name="Iwan", last_name="Iwanow") == [(ivanov.pk, ["similar_name"])]
    assert found(first_name="Ivanov", last_name="Ivan") == [(ivanov.pk, ["similar_name"])]
    assert found(first_name="Ivan", last_name="Ivanvo") == [(ivanov.pk, ["similar_name"])]
    assert found(first_name="Berta", last_name="Klein", email="M@K.de") == [
        (mail.pk, ["same_email"])
    ]
    assert found(first_name="Petra", last_name="Lang", email="p@lang.de") == []  # not in scope
    assert found(first_name="Peter", last_name="Pan") == []
    assert found() == []


@pytest.mark.django_db
def test_a_name_borne_by_several_records_needs_a_second_agreement(
    org: Org, make_user: Callable[..., Any]
) -> None:
    rep = make_user("sales_representative")
    firm = AccountFactory(owner=rep, name="Firma GmbH")
    ContactFactory(owner=rep, first_name="Ivan", last_name="Ivanov")
    ContactFactory(owner=rep, first_name="Иван", last_name="Иванов")
    at_firm = ContactFactory(owner=rep, first_name="Ivan", last_name="Ivanov", account=firm)

    alone = find_duplicates_for(rep, "contact", {"first_name": "Iwan", "last_name": "Iwanow"})
    with_account = find_duplicates_for(
        rep, "contact", {"first_name": "Iwan", "last_name": "Iwanow", "account_id": firm.pk}
    )

    assert alone == []
    assert [match.record.pk for match in with_account] == [at_firm.pk]


@pytest.mark.django_db
def test_find_duplicates_for_a_new_account(sales_rep: Any) -> None:
    romashka = AccountFactory(owner=sales_rep, name="ООО «Ромашка»", country="RU")
    siemens = AccountFactory(owner=sales_rep, name="Siemens AG", tax_id="DE129274202")

    def found(**data: Any) -> list[int]:
        return [match.record.pk for match in find_duplicates_for(sales_rep, "account", data)]

    assert found(name="Romashka LLC", country="RU") == [romashka.pk]
    assert found(name="Anything", tax_id="DE 129 274 202", country="DE") == [siemens.pk]
    assert found(name="Siemens", tax_id="DE136695976", country="DE") == []


# --- Dismissing ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_dismissing_a_pair_is_audited_and_happens_once(
    planted_contacts: dict[str, Any], sales_rep: Any, request_id: str
) -> None:
    duplicate_scan("contact")
    candidate = duplicate_candidate_get(sales_rep, DuplicateCandidate.objects.first().pk)

    dismissed = duplicate_dismiss(actor=sales_rep, candidate=candidate)

    assert (dismissed.status, dismissed.resolved_by_id) == ("dismissed", sales_rep.pk)
    event = AuditEvent.objects.get(object_type="clients.duplicatecandidate")
    assert (event.action, event.object_id, event.actor_id, event.request_id) == (
        "update",
        str(candidate.pk),
        sales_rep.pk,
        request_id,
    )
    assert event.changes == {"status": ["open", "dismissed"]}
    with pytest.raises(Conflict):
        duplicate_dismiss(actor=sales_rep, candidate=candidate)
    assert AuditEvent.objects.filter(object_type="clients.duplicatecandidate").count() == 1


@pytest.mark.django_db
def test_dismissing_needs_both_records_in_sight_and_one_writable(
    scoped_pairs: dict[str, Any], make_user: Callable[..., Any]
) -> None:
    inside = DuplicateCandidate.objects.get(left_id=scoped_pairs["inside"][0])
    across = DuplicateCandidate.objects.get(left_id=scoped_pairs["across"][0])
    read_only = make_user("read_only")

    with pytest.raises(PermissionDenied):
        duplicate_dismiss(actor=read_only, candidate=inside)
    with pytest.raises(NotFound):
        duplicate_dismiss(actor=scoped_pairs["rep"], candidate=across)

    assert set(DuplicateCandidate.objects.values_list("status", flat=True)) == {"open"}
    assert not AuditEvent.objects.filter(object_type="clients.duplicatecandidate").exists()


# --- The labelled evaluation set -----------------------------------------------------------


def test_the_evaluation_set_is_deterministic() -> None:
    first = build_eval_set(3, people=200, companies=100)
    second = build_eval_set(3, people=200, companies=100)

    assert [(r.id, r.fields, r.cluster) for r in first.records] == [
        (r.id, r.fields, r.cluster) for r in second.records
    ]
    assert first.look_alikes == second.look_alikes
    assert len(first.true_pairs("contact")) > 0
    assert len(first.true_pairs("account")) > 0


def test_the_detector_meets_the_targets_on_a_labelled_sample() -> None:
    report = evaluate(build_eval_set(7, people=800, companies=400))

    assert report["records"] > 1300
    assert report["precision"] >= PRECISION_TARGET
    assert report["recall"] >= RECALL_TARGET
    for entity in ("contact", "account"):
        assert report["entities"][entity]["precision"] >= PRECISION_TARGET
        assert report["entities"][entity]["recall"] >= RECALL_TARGET


# --- API -----------------------------------------------------------------------------------


def _client(user: Any) -> ApiClient:
    token, key = api_token_create(actor=user, user=user, name="tests")
    return ApiClient(user, key, token)


@pytest.mark.django_db
def test_the_api_lists_and_dismisses_pairs(
    planted_contacts: dict[str, Any], sales_rep: Any
) -> None:
    duplicate_scan("contact")
    api = _client(sales_rep)

    listed = api.get("/api/v1/duplicates", params={"entity": "contact", "limit": 2})
    page = listed.json()
    rest = api.get("/api/v1/duplicates", params={"cursor": page["next_cursor"]}).json()
    pair_id = page["items"][0]["id"]
    dismissed = api.post(f"/api/v1/duplicates/{pair_id}/dismiss")
    again = api.post(f"/api/v1/duplicates/{pair_id}/dismiss")
    missing = api.post("/api/v1/duplicates/999999/dismiss")
    accounts = api.get("/api/v1/duplicates", params={"entity": "account"})
    wrong = api.get("/api/v1/duplicates", params={"entity": "lead"})

    assert listed.status_code == 200
    assert len(page["items"]) == 2
    assert len(rest["items"]) == 2
    assert rest["next_cursor"] is None
    assert set(page["items"][0]["left"]) == {"id", "name", "email", "phone", "owner_id"}
    assert (dismissed.status_code, dismissed.json()["status"]) == (200, "dismissed")
    assert (again.status_code, missing.status_code) == (404, 404)
    assert (accounts.status_code, accounts.json()["items"]) == (200, [])
    assert wrong.status_code == 422


@pytest.mark.django_db
def test_only_an_administrator_starts_a_scan(
    planted_contacts: dict[str, Any], sales_rep: Any, administrator: Any
) -> None:
    refused = _client(sales_rep).post("/api/v1/duplicates/scan", {"entity": "contact"})
    assert refused.status_code == 403
    assert DuplicateCandidate.objects.count() == 0

    started = _client(administrator).post("/api/v1/duplicates/scan", {"entity": "contact"})

    assert started.status_code == 202
    assert (started.json()["entity"], started.json()["status"]) == ("contact", "SUCCESSFUL")
    assert DuplicateCandidate.objects.count() == 4


@pytest.mark.django_db
def test_the_api_warns_of_duplicates_before_a_create(sales_rep: Any) -> None:
    contact = ContactFactory(owner=sales_rep, first_name="Anna", last_name="Müller")
    account = AccountFactory(owner=sales_rep, name="ООО «Вектор»", country="RU")
    api = _client(sales_rep)

    contacts = api.get(
        "/api/v1/contacts/duplicates-of", params={"first_name": "Anna", "last_name": "Mueller"}
    )
    accounts = api.get("/api/v1/accounts/duplicates-of", params={"name": "Vektor LLC"})
    nothing = api.get("/api/v1/contacts/duplicates-of", params={"last_name": "Nobody"})

    assert contacts.status_code == 200
    assert [(m["record"]["id"], m["reasons"]) for m in contacts.json()] == [
        (contact.pk, ["similar_name"])
    ]
    assert contacts.json()[0]["record"]["name"] == "Anna Müller"
    assert accounts.status_code == 200
    assert [m["record"]["id"] for m in accounts.json()] == [account.pk]
    assert (nothing.status_code, nothing.json()) == (200, [])
