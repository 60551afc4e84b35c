"""Full-text search on both engines: languages, prefixes, phones, ranking, access scope, and
the index kept in step with every write."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from perpetuum.clients import services
from perpetuum.clients.models import Account, Contact
from perpetuum.clients.search import search_rebuild
from perpetuum.clients.selectors import contact_list, global_search
from perpetuum.core import search
from perpetuum.core.filters import ListFilters
from perpetuum.core.services import tag_update
from perpetuum.core.text import query_terms, search_tokens
from tests.factories import AccountFactory, ContactFactory, TagFactory


def names(results: list[Any]) -> list[str]:
    return [str(record) for record in results]


@pytest.fixture
def people(administrator: Any) -> dict[str, Contact]:
    make = ContactFactory
    return {
        "mueller": make(
            owner=administrator,
            first_name="Jürgen",
            last_name="Müller",
            emails=["j.mueller@firma.de"],
            phones=["+49 30 98765432"],
        ),
        "ivanov": make(
            owner=administrator,
            first_name="Пётр",
            last_name="Иванов",
            emails=["p.ivanov@romashka.ru"],
            phones=["+7 495 123-45-67"],
        ),
        "francoise": make(owner=administrator, first_name="Françoise", last_name="Lefèvre"),
        "strauss": make(owner=administrator, first_name="Johann", last_name="Strauß"),
        "alena": make(owner=administrator, first_name="Алёна", last_name="Смирнова"),
    }


def test_tokens_carry_umlaut_spellings_and_transliterations() -> None:
    assert search_tokens(["Müller"]) == ["muller", "mueller"]
    assert search_tokens(["Straße"]) == ["strasse"]
    assert search_tokens(["Иванов"]) == ["иванов", "ivanov"]
    assert search_tokens(["Алёна"]) == ["алена", "alena"]
    assert search_tokens(["Lefèvre"]) == ["lefevre"]
    assert query_terms("MÜLLER ivan") == ["muller", "ivan"]
    assert query_terms("Пётр") == ["petr"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("muller", ["Jürgen Müller"]),
        ("Mueller", ["Jürgen Müller"]),
        ("MÜLLER", ["Jürgen Müller"]),
        ("jür", ["Jürgen Müller"]),
        ("strauss", ["Johann Strauß"]),
        ("Strauß", ["Johann Strauß"]),
        ("Иванов", ["Пётр Иванов"]),
        ("ivanov", ["Пётр Иванов"]),
        ("петр иван", ["Пётр Иванов"]),
        ("алена", ["Алёна Смирнова"]),
        ("Алёна", ["Алёна Смирнова"]),
        ("francoise", ["Françoise Lefèvre"]),
        ("LEFÈVRE", ["Françoise Lefèvre"]),
        ("p.ivanov@romashka", ["Пётр Иванов"]),
        ("030 9876", ["Jürgen Müller"]),
        ("+49 30 98765432", ["Jürgen Müller"]),
        ("+7 495 123", ["Пётр Иванов"]),
        ("nobody", []),
    ],
)
def test_global_search_finds_across_languages(
    people: dict[str, Contact], administrator: Any, query: str, expected: list[str]
) -> None:
    assert names(global_search(administrator, query)["contact"]) == expected


def test_multi_word_queries_need_every_word(people: dict[str, Contact], administrator: Any) -> None:
    assert names(global_search(administrator, "jürgen müller")["contact"]) == ["Jürgen Müller"]
    assert names(global_search(administrator, "jürgen иванов")["contact"]) == []


def test_results_are_ranked_most_focused_first(administrator: Any) -> None:
    AccountFactory(
        owner=administrator,
        name="Nordwind Logistik",
        legal_name="Spedition Süd Hamburg Bremen",
        city="Kiel",
    )
    AccountFactory(owner=administrator, name="Nordwind")
    ranked = names(global_search(administrator, "nordwind")["account"])
    assert ranked == ["Nordwind", "Nordwind Logistik"]


def test_accounts_are_found_by_tax_id_city_and_tag(administrator: Any) -> None:
    tag = TagFactory(name="Schlüsselkunde")
    AccountFactory(
        owner=administrator,
        name="Alpha GmbH",
        country="DE",
        tax_id="DE136695976",
        city="München",
        tags=[tag],
    )
    for query in ("DE136695976", "136695", "munchen", "schlusselkunde", "schluesselkunde"):
        assert names(global_search(administrator, query)["account"]) == ["Alpha GmbH"], query


def test_search_keeps_the_access_scope(make_user: Any, org: Any) -> None:
    rep = make_user("sales_representative")
    other = make_user("sales_representative", office=org.moscow, teams=[org.moscow_sales])
    ContactFactory(owner=rep, first_name="Jürgen", last_name="Müllerhoff")
    ContactFactory(owner=other, first_name="Jürgen", last_name="Müllermann")
    assert names(global_search(rep, "müller")["contact"]) == ["Jürgen Müllerhoff"]
    page = contact_list(rep, ListFilters(q="müller"))
    assert names(page.items) == ["Jürgen Müllerhoff"]


def test_the_index_follows_updates_deletes_and_merges(administrator: Any) -> None:
    first = ContactFactory(owner=administrator, first_name="Karl", last_name="Schulz")
    second = ContactFactory(owner=administrator, first_name="Karla", last_name="Schultze")
    services.contact_update(
        actor=administrator,
        contact=first,
        data={"last_name": "Zimmermann"},
        expected_version=first.version,
    )
    assert names(global_search(administrator, "schul")["contact"]) == ["Karla Schultze"]
    assert names(global_search(administrator, "zimmer")["contact"]) == ["Karl Zimmermann"]

    services.contact_delete(actor=administrator, contact=second)
    assert names(global_search(administrator, "schultze")["contact"]) == []
    services.contact_restore(actor=administrator, contact=second)
    assert names(global_search(administrator, "schultze")["contact"]) == ["Karla Schultze"]

    first.refresh_from_db()
    second.refresh_from_db()
    services.contact_update(
        actor=administrator,
        contact=second,
        data={"emails": ["karla@example.org"]},
        expected_version=second.version,
    )
    second.refresh_from_db()
    services.contact_merge(actor=administrator, survivor=first, other=second)
    assert names(global_search(administrator, "karla@example")["contact"]) == ["Karl Zimmermann"]


def test_renaming_a_tag_reindexes_its_records(administrator: Any) -> None:
    tag = TagFactory(name="Messe")
    AccountFactory(owner=administrator, name="Beta AG", tags=[tag])
    tag_update(actor=administrator, tag=tag, data={"name": "Kongress"}, expected_version=1)
    assert names(global_search(administrator, "kongress")["account"]) == ["Beta AG"]
    assert names(global_search(administrator, "messe")["account"]) == []


def test_rebuild_indexes_bulk_loaded_rows(administrator: Any) -> None:
    Account.objects.bulk_create(
        [Account(name=f"Bulk Werk {number}", root=None) for number in range(5)]
    )
    assert global_search(administrator, "werk")["account"] == []
    steps: list[int] = []
    assert search_rebuild(Account, progress=steps.append) == 5
    assert steps == [5]
    assert len(global_search(administrator, "werk", limit=10)["account"]) == 5


def test_substrings_are_found_on_postgresql_and_prefixes_everywhere(administrator: Any) -> None:
    AccountFactory(owner=administrator, name="Romashka Holding")
    assert names(global_search(administrator, "roma")["account"]) == ["Romashka Holding"]
    substring = names(global_search(administrator, "mashk")["account"])
    assert substring == (["Romashka Holding"] if connection.vendor == "postgresql" else [])


def test_the_engine_matches_the_database() -> None:
    terms = search.terms_of("müller")
    sql, params, _, _ = search._match_sql("contact", terms)
    if connection.vendor == "postgresql":
        assert "to_tsquery" in sql
        assert params == ["muller:*", "%muller%"]
    else:
        assert "MATCH" in sql
        assert params == ['"muller"*']
