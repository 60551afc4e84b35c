"""Sending e-mail from the CRM: Django's mail over SMTP (settings `PERPETUUM_SMTP_*`), with
attachments, and every sent message on the client's timeline.

Why the message is sent synchronously, not after commit
-------------------------------------------------------
A user who presses "send" waits for one answer: did the message go out? A quote becomes
"sent" only when the mail server has accepted it, and a refused recipient or an unreachable
server must be said there and then, not discovered later in a log. So `mail_send` talks to
the server while the user waits, and only then, in its own transaction, writes the timeline
entry (and the caller its state change). A failure before the server accepted the message
raises `MailNotSent` and writes nothing.

Sending after commit (`transaction.on_commit`) would make the database write first and the
message second; a failed send would then leave a quote marked "sent" and an e-mail on the
timeline that nobody received. The price of the synchronous order is the opposite, rarer
case: a message accepted by the server whose recording then fails. The timeline entry is
keyed on the message's own Message-ID (`source="email"`, `external_id=<Message-ID>`), so
recording it again — by a retry, or by the IMAP sync that later sees the copy in the sent
folder — stores it once.

Call `mail_send` outside a database transaction where possible, so that the SMTP dialogue
does not hold a transaction (and, on SQLite, the write lock) open.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import make_msgid
from django.core.validators import validate_email
from django.utils import timezone

from perpetuum.core import access
from perpetuum.core.errors import NotFound, PerpetuumError
from perpetuum.core.ownership import require_create

logger = logging.getLogger(__name__)

EMAIL_SOURCE = "email"


class MailNotSent(PerpetuumError):
    """The mail server could not be reached or refused the message; nothing was recorded."""

    status = 502
    title = "The message was not sent"


@dataclass(frozen=True)
class Attachment:
    """A file sent along with a message."""

    filename: str
    content: bytes
    mimetype: str = "application/octet-stream"


@dataclass(frozen=True)
class SentMail:
    """A message the server accepted, and its entry on the timeline."""

    message_id: str
    interaction: Any


def _addresses(values: Iterable[str], field: str) -> list[str]:
    result = []
    for value in values:
        address = (value or "").strip()
        try:
            validate_email(address)
        except ValidationError as error:
            raise ValidationError({field: [f"{address!r} is not an e-mail address."]}) from error
        result.append(address)
    return result


def _message_domain() -> str:
    """The domain of our Message-IDs: the sender's, so they are unique to this installation."""
    sender = settings.DEFAULT_FROM_EMAIL
    domain = sender.rsplit("@", 1)[-1].strip(" >") if "@" in sender else ""
    return domain or "perpetuum.local"


def _check_links(actor: Any, account: Any, contact: Any) -> None:
    """Refuse before sending what could not be recorded afterwards."""
    if account is None and contact is None:
        raise ValidationError({"account_id": ["Say which client the message concerns."]})
    require_create(actor, "interaction")
    for record in (account, contact):
        if record is not None and not access.can(actor, "read", record):
            raise NotFound()


def mail_send(
    *,
    actor: Any,
    to: Sequence[str],
    subject: str,
    body: str,
    html_body: str | None = None,
    attachments: Sequence[Attachment] = (),
    cc: Sequence[str] = (),
    account: Any = None,
    contact: Any = None,
    deal: Any = None,
) -> SentMail:
    """Send one message through the configured mail server and put it on the timeline as an
    outbound e-mail of `account` / `contact` (and `deal`, where the timeline links deals).

    Replies go to the actor's own address when they have one. Raises `MailNotSent` when the
    server cannot be reached or refuses the message; then nothing is recorded.
    """
    recipients = _addresses(to, "to")
    copies = _addresses(cc, "cc")
    if not recipients:
        raise ValidationError({"to": ["Give at least one recipient."]})
    if not subject.strip():
        raise ValidationError({"subject": ["A message needs a subject."]})
    _check_links(actor, account, contact)

    message_id = make_msgid(domain=_message_domain())
    reply_to = [actor.email] if getattr(actor, "email", "") else None
    message = EmailMultiAlternatives(
        subject=subject.strip(),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients,
        cc=copies,
        reply_to=reply_to,
        headers={"Message-ID": message_id},
        connection=get_connection(fail_silently=False),
    )
    if html_body:
        message.attach_alternative(html_body, "text/html")
    for attachment in attachments:
        message.attach(attachment.filename, attachment.content, attachment.mimetype)
    try:
        message.send(fail_silently=False)
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("mail to %s not sent: %s", recipients, error)
        raise MailNotSent(f"The mail server did not accept the message: {error}") from error

    interaction = mail_record(
        actor=actor,
        message_id=message_id,
        subject=subject.strip(),
        body=body,
        recipients=[*recipients, *copies],
        attachment_names=[attachment.filename for attachment in attachments],
        account=account,
        contact=contact,
        deal=deal,
    )
    return SentMail(message_id=message_id, interaction=interaction)


def mail_record(
    *,
    actor: Any,
    message_id: str,
    subject: str,
    body: str,
    recipients: Sequence[str] = (),
    attachment_names: Sequence[str] = (),
    account: Any = None,
    contact: Any = None,
    deal: Any = None,
) -> Any:
    """The timeline entry of a sent message; recording the same Message-ID twice returns
    the first entry."""
    from perpetuum.timeline import services as timeline_services
    from perpetuum.timeline.models import Interaction

    lines = [body.rstrip()]
    if recipients:
        lines.append(f"\nTo: {', '.join(recipients)}")
    if attachment_names:
        lines.append(f"Attachments: {', '.join(attachment_names)}")
    data: dict[str, Any] = {
        "kind": Interaction.Kind.EMAIL,
        "channel": "email",
        "direction": Interaction.Direction.OUTBOUND,
        "status": Interaction.Status.DONE,
        "occurred_at": timezone.now(),
        "subject": subject[:300],
        "body": "\n".join(lines),
        "account_id": getattr(account, "pk", None),
        "contact_id": getattr(contact, "pk", None),
        "source": EMAIL_SOURCE,
        "external_id": message_id,
    }
    data = {key: value for key, value in data.items() if value is not None}
    if deal is not None and any(f.name == "deal" for f in Interaction._meta.get_fields()):
        data["deal"] = deal
    interaction, _created = timeline_services.interaction_create(actor=actor, data=data)
    return interaction
