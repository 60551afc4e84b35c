"""Document templates: the sandbox, the seeded defaults, administrators' edits, previews."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from perpetuum.core.errors import PermissionDenied
from perpetuum.core.models import AuditEvent
from perpetuum.documents import defaults, selectors, services
from perpetuum.documents.models import DocumentTemplate
from perpetuum.documents.rendering import render_sandboxed, template_check
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "body",
    [
        "{% load static %}",
        "{% include 'web/base.html' %}",
        "{% extends 'web/base.html' %}",
        "{% block content %}{% endblock %}",
        "{% url 'web:home' %}",
        "{% debug %}",
        "{% autoescape off %}{{ account.name }}{% endautoescape %}",
        "{{ account.name|safe }}",
    ],
)
def test_the_sandbox_refuses_what_could_reach_beyond_the_template(body):
    with pytest.raises(ValidationError) as refused:
        template_check(body)

    assert "not valid here" in str(refused.value)


def test_values_are_always_escaped():
    html = render_sandboxed(
        "<p>{{ account.name }}</p>", {"account": {"name": "<script>x</script>"}}, language="en"
    )

    assert html == "<p>&lt;script&gt;x&lt;/script&gt;</p>"


def test_dates_follow_the_document_language():
    import datetime

    html = render_sandboxed(
        "{{ day|date:'DATE_FORMAT' }}", {"day": datetime.date(2026, 3, 5)}, language="de"
    )

    assert html == "5. März 2026"


def test_the_defaults_are_seeded_in_four_languages():
    seeded = set(
        DocumentTemplate.objects.filter(legal_entity__isnull=True).values_list("code", "language")
    )

    assert seeded == {
        (code, language)
        for code in ("quote", "supply_agreement", "invoice")
        for language in ("en", "de", "ru", "fr")
    }
    for template in DocumentTemplate.objects.all():
        template_check(template.body)
        assert "[[" not in template.body


def test_seeding_again_creates_nothing():
    assert defaults.seed_default_templates(DocumentTemplate) == 0
    assert DocumentTemplate.objects.count() == 12


def test_only_administrators_write_templates(administrator, sales_rep):
    data = {
        "kind": "quote",
        "code": "short_quote",
        "name": "Short quote",
        "language": "en",
        "body": "<h1>{{ document.number }}</h1>",
    }
    events = AuditEvent.objects.count()

    with pytest.raises(PermissionDenied):
        services.template_create(actor=sales_rep, data=data)
    template = services.template_create(actor=administrator, data=data)

    assert AuditEvent.objects.count() == events + 1
    updated = services.template_update(
        actor=administrator,
        template=template,
        data={"body": "<h2>{{ document.number }}</h2>"},
        expected_version=template.version,
    )
    assert updated.version == 2
    assert AuditEvent.objects.count() == events + 2


def test_a_template_that_does_not_compile_is_not_saved(administrator):
    count = DocumentTemplate.objects.count()

    with pytest.raises(ValidationError):
        services.template_create(
            actor=administrator,
            data={
                "kind": "quote",
                "code": "bad",
                "name": "Bad",
                "language": "en",
                "body": "{% include 'x.html' %}",
            },
        )

    assert DocumentTemplate.objects.count() == count


def test_the_entity_s_own_template_comes_before_the_shared_one(administrator, org):
    own = services.template_create(
        actor=administrator,
        data={
            "kind": "quote",
            "code": "quote",
            "name": "GmbH quote",
            "language": "de",
            "legal_entity_id": org.gmbh.pk,
            "body": "<p>GmbH</p>",
        },
    )

    assert selectors.template_for(kind="quote", language="de", legal_entity=org.gmbh) == own
    shared = selectors.template_for(kind="quote", language="de", legal_entity=org.ooo)
    assert shared.legal_entity_id is None
    fallback = selectors.template_for(kind="quote", language="xx", legal_entity=None)
    assert fallback.language == "en"


def test_a_preview_with_sample_values_and_with_a_real_client(sales_rep, gmbh_letterhead, org):
    template = selectors.template_for(kind="quote", language="de", legal_entity=org.gmbh)

    sample = services.template_preview(
        actor=sales_rep, body=template.body, language="de", legal_entity=org.gmbh
    )
    account = AccountFactory(owner=sales_rep, name="Bäckerei Groß")
    real = services.template_preview(
        actor=sales_rep,
        body="<p>{{ account.name }} · {{ entity.signatory_name }}</p>",
        language="de",
        legal_entity=org.gmbh,
        account=account,
    )

    assert "Beispiel Maschinenbau GmbH" in sample
    assert "Jörg Weißmüller" in sample
    assert "Bäckerei Groß · Jörg Weißmüller" in real
