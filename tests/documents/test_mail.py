"""core.mail: a message sent from the CRM reaches a real SMTP server, with its attachment,
and lands on the client's timeline once."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from perpetuum.core.errors import NotFound
from perpetuum.core.mail import Attachment, MailNotSent, mail_record, mail_send
from perpetuum.core.models import AuditEvent
from perpetuum.timeline.models import Interaction
from tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n% not really a PDF, only its first bytes\n"


def test_a_message_arrives_with_its_attachment_and_lands_on_the_timeline_once(
    smtp_server, sales_rep
):
    account = AccountFactory(owner=sales_rep, name="Müller & Söhne")
    contact = ContactFactory(owner=sales_rep, account=account, emails=["anna@example.com"])

    sent = mail_send(
        actor=sales_rep,
        to=["anna@example.com"],
        subject="Angebot Q-000001",
        body="Guten Tag,\n\nanbei unser Angebot. Grüße",
        attachments=[Attachment("angebot.pdf", PDF, "application/pdf")],
        account=account,
        contact=contact,
    )

    assert len(smtp_server.envelopes) == 1
    assert smtp_server.envelopes[0].rcpt_tos == ["anna@example.com"]
    message = smtp_server.messages[0]
    assert message["Subject"] == "Angebot Q-000001"
    assert message["Message-ID"] == sent.message_id
    assert message["Reply-To"] == sales_rep.email
    assert "Grüße" in message.get_body(("plain",)).get_content()
    attachments = list(message.iter_attachments())
    assert [part.get_filename() for part in attachments] == ["angebot.pdf"]
    assert attachments[0].get_content().startswith(b"%PDF")

    entries = Interaction.objects.filter(external_id=sent.message_id)
    assert entries.count() == 1
    entry = entries.get()
    assert (entry.kind, entry.direction, entry.source) == ("email", "outbound", "email")
    assert entry.subject == "Angebot Q-000001"
    assert entry.account_id == account.pk
    assert entry.contact_id == contact.pk
    assert "angebot.pdf" in entry.body

    again = mail_record(
        actor=sales_rep,
        message_id=sent.message_id,
        subject="Angebot Q-000001",
        body="",
        account=account,
    )
    assert again.pk == entry.pk
    assert Interaction.objects.filter(external_id=sent.message_id).count() == 1


def test_a_refused_connection_is_an_error_and_records_nothing(settings, sales_rep):
    account = AccountFactory(owner=sales_rep)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 9  # discard: nothing listens there
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 2
    interactions = Interaction.objects.count()
    events = AuditEvent.objects.count()

    with pytest.raises(MailNotSent):
        mail_send(actor=sales_rep, to=["a@example.com"], subject="Hi", body="", account=account)

    assert Interaction.objects.count() == interactions
    assert AuditEvent.objects.count() == events


def test_nothing_is_sent_about_a_client_outside_the_scope(mailoutbox, make_user, org):
    owner = make_user("sales_representative", office=org.moscow, teams=[org.moscow_sales])
    outsider = make_user("sales_representative")
    account = AccountFactory(owner=owner)

    with pytest.raises(NotFound):
        mail_send(actor=outsider, to=["a@example.com"], subject="Hi", body="", account=account)

    assert mailoutbox == []


def test_a_bad_address_is_refused_before_sending(mailoutbox, sales_rep):
    account = AccountFactory(owner=sales_rep)

    with pytest.raises(ValidationError):
        mail_send(actor=sales_rep, to=["not an address"], subject="Hi", body="", account=account)

    assert mailoutbox == []
