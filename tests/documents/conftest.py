"""Fixtures of the documents tests: a real SMTP server, letterheads and text from PDFs."""

from __future__ import annotations

import email
import email.policy
import io
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from perpetuum.documents.models import Letterhead

# The sales fixtures (catalogue, price lists, pipeline, deals), shared with the sales tests.
from tests.sales.conftest import (  # noqa: F401
    admin_actor,
    make_deal,
    make_invoice,
    make_price_list,
    make_product,
    pipeline,
)


@dataclass
class Received:
    """What the SMTP server was handed: envelope and the parsed messages."""

    envelopes: list[Any] = field(default_factory=list)

    @property
    def messages(self) -> list[email.message.EmailMessage]:
        return [
            email.message_from_bytes(envelope.content, policy=email.policy.default)
            for envelope in self.envelopes
        ]


class _Handler:
    def __init__(self, received: Received) -> None:
        self.received = received

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[Received]:
    """A real SMTP server on a free local port, with the mail settings pointing at it."""
    received = Received()
    port = _free_port()
    controller = Controller(_Handler(received), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.DEFAULT_FROM_EMAIL = "sales@perpetuum.example"
    try:
        yield received
    finally:
        controller.stop()


@pytest.fixture
def gmbh_letterhead(org: Any) -> Letterhead:
    """The letterhead of Perpetuum GmbH, with umlauts and ß."""
    entity = org.gmbh
    entity.legal_name = "Perpetuum Vertriebsgesellschaft mbH"
    entity.vat_id = "DE136695976"
    entity.save()
    return Letterhead.objects.create(
        legal_entity=entity,
        letterhead="Große Straße 12\n10115 Berlin",
        contact_line="+49 30 1234567 · vertrieb@perpetuum.example",
        bank_details="Bank: Berliner Sparkasse\nIBAN: DE02100500000054540402",
        signatory_name="Jörg Weißmüller",
        signatory_title="Geschäftsführer",
        footer="Amtsgericht Charlottenburg HRB 12345",
    )


@pytest.fixture
def ooo_letterhead(org: Any) -> Letterhead:
    """The letterhead of Perpetuum OOO, in Russian."""
    entity = org.ooo
    entity.legal_name = "ООО «Перпетуум»"
    entity.tax_id = "7707083893"
    entity.kpp = "773601001"
    entity.save()
    return Letterhead.objects.create(
        legal_entity=entity,
        letterhead="ул. Тверская, д. 7\n125009 Москва",
        contact_line="+7 495 123-45-67 · sales@perpetuum.example",
        bank_details="Банк: ПАО Сбербанк\nР/с 40702810938000000001",
        signatory_name="Щукин Алексей Юрьевич",
        signatory_title="генерального директора",
        footer="ОГРН 1027700132195",
    )


def pdf_text(content: bytes) -> str:
    """The text of a PDF as pypdf extracts it, with runs of white space made one space."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    return re.sub(r"\s+", " ", text.replace("\xa0", " "))


def flat_values(context: Any) -> list[str]:
    """Every non-empty text value of a template context (nested dicts and lists)."""
    if isinstance(context, dict):
        return [value for item in context.values() for value in flat_values(item)]
    if isinstance(context, list):
        return [value for item in context for value in flat_values(item)]
    text = str(context).strip()
    return [text] if text else []
