"""Turns the domain errors that services and selectors raise into the pages' answers."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from perpetuum.core.errors import NotFound, PermissionDenied


class DomainErrorMiddleware:
    """A record outside the user's scope is a 404 with the same page as a missing one; a
    visible record the role may not change is a 403. The API has its own handlers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if request.path.startswith("/api/"):
            return None
        if isinstance(exception, NotFound):
            raise Http404() from exception
        if isinstance(exception, PermissionDenied):
            raise DjangoPermissionDenied(exception.detail) from exception
        return None
