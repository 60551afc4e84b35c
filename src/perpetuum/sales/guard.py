"""The guard's problem providers: who knows that a client has unresolved problems.

A provider is a function `fn(account) -> list[Problem]`, registered under a name with
`register_provider`. Today's providers report overdue invoices and open complaints; the
service desk adds its tickets with one call in its `AppConfig.ready()`:

    from perpetuum.sales.guard import register_provider
    register_provider("tickets", open_tickets)

Whether the problems only warn or block is decided by `sales.services.guard_check`, which
deals and quotes call before they are made.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from perpetuum.core.errors import Conflict
from perpetuum.core.money import format_money
from perpetuum.sales.models import Invoice
from perpetuum.timeline.models import Interaction

PROBLEMS_PER_PROVIDER = 20


@dataclass(frozen=True)
class Problem:
    """One unresolved problem of a client: why it matters, where to see it, how bad it is
    ("warning" or "critical"), and which provider found it."""

    reason: str
    link: str
    severity: str = "warning"
    provider: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class GuardBlocked(Conflict):
    """The guard is set to block and the client has unresolved problems: the write is
    refused (HTTP 409, the problems listed) until it is repeated with an override reason."""

    title = "Blocked by the guard"

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(
            "The client has unresolved problems. Resolve them, or give a reason to override "
            "the block; the override is recorded as a decision on the client's timeline.",
            problems=[problem.as_dict() for problem in problems],
        )
        self.problems = problems


ProblemProvider = Callable[[Any], list[Problem]]
_PROVIDERS: dict[str, ProblemProvider] = {}


def register_provider(name: str, fn: ProblemProvider) -> None:
    """Add (or replace) the provider called `name`."""
    _PROVIDERS[name] = fn


def unregister_provider(name: str) -> None:
    _PROVIDERS.pop(name, None)


def provider_names() -> list[str]:
    return list(_PROVIDERS)


def account_problems(account: Any) -> list[Problem]:
    """Every provider's problems with `account`, critical ones first."""
    problems: list[Problem] = []
    for name, provider in list(_PROVIDERS.items()):
        for problem in provider(account)[:PROBLEMS_PER_PROVIDER]:
            problems.append(
                Problem(
                    reason=problem.reason,
                    link=problem.link,
                    severity=problem.severity,
                    provider=problem.provider or name,
                )
            )
    return sorted(problems, key=lambda problem: problem.severity != "critical")


def _url(name: str, args: list[Any], fallback: str) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return fallback


# --- Today's providers -------------------------------------------------------------------

CRITICAL_DAYS_OVERDUE = 60


def overdue_invoices(account: Any) -> list[Problem]:
    """Invoices of the account that are unpaid after their due date."""
    today = timezone.localdate()
    invoices = Invoice.objects.filter(
        account=account, status__in=Invoice.OPEN_STATUSES, due_date__lt=today
    ).order_by("due_date", "pk")[:PROBLEMS_PER_PROVIDER]
    problems = []
    for invoice in invoices:
        days = (today - invoice.due_date).days
        problems.append(
            Problem(
                reason=_(
                    "Invoice %(number)s is %(days)d days overdue: %(amount)s unpaid since %(due)s."
                )
                % {
                    "number": invoice.number,
                    "days": days,
                    "amount": format_money(invoice.outstanding, invoice.currency),
                    "due": invoice.due_date.isoformat(),
                },
                link=_url("sales:invoice_detail", [invoice.pk], f"/sales/invoices/{invoice.pk}/"),
                severity="critical" if days > CRITICAL_DAYS_OVERDUE else "warning",
            )
        )
    return problems


def open_complaints(account: Any) -> list[Problem]:
    """Interactions of the account marked as a complaint, neither cancelled nor resolved
    (a complaint logged as done is still open until someone marks it resolved)."""
    complaints = (
        Interaction.objects.filter(account=account, is_complaint=True, is_resolved=False)
        .exclude(status=Interaction.Status.CANCELLED)
        .order_by("-at", "-pk")[:PROBLEMS_PER_PROVIDER]
    )
    card = _url("web:account_card", [account.pk], f"/accounts/{account.pk}/")
    return [
        Problem(
            reason=_("Open complaint of %(date)s: %(subject)s")
            % {
                "date": _date(complaint.at),
                "subject": complaint.subject or complaint.get_kind_display(),
            },
            link=f"{card}#interaction-{complaint.pk}",
            severity="warning",
        )
        for complaint in complaints
    ]


def _date(value: datetime.datetime) -> str:
    return timezone.localtime(value).date().isoformat()


register_provider("overdue_invoices", overdue_invoices)
register_provider("open_complaints", open_complaints)
