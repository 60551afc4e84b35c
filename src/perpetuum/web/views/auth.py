"""Signing in and out, changing one's password and one's language.

Repeated failures are throttled by django-axes (see `AXES_*` in settings): after five, the
account name and, separately, the client address are locked for the cool-off period. Every
sign-in and every failure is written to the audit trail.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from perpetuum.org import services as org_services


def client_address(request: HttpRequest) -> str:
    """The address the request came from, as the throttle sees it."""
    return request.META.get("REMOTE_ADDR", "")[:64]


class LoginView(auth_views.LoginView):
    """The sign-in page; each outcome is audited."""

    template_name = "web/auth/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        org_services.sign_in_record(user=form.get_user(), address=client_address(self.request))
        return response

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        username = str(self.request.POST.get("username", "")).strip()
        if username:
            org_services.sign_in_failure_record(
                username=username, address=client_address(self.request)
            )
        return super().form_invalid(form)


def _safe_next(request: HttpRequest, fallback: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    """The user changes their own password; the old one is asked for first."""
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        org_services.user_password_change(
            actor=request.user, new_password=form.cleaned_data["new_password1"]
        )
        update_session_auth_hash(request, request.user)
        messages.success(request, _("Your password was changed."))
        return redirect("web:home")
    for field in form.fields.values():
        field.widget.attrs.pop("autofocus", None)
    return render(request, "web/auth/password_change.html", {"form": form})


@login_required
@require_POST
def language(request: HttpRequest) -> HttpResponse:
    """Serve this user's pages in the language they chose, from the next page on."""
    try:
        org_services.user_language_set(
            actor=request.user, language=str(request.POST.get("language", ""))
        )
    except ValidationError:
        messages.error(request, _("Choose one of the offered languages."))
        return HttpResponseRedirect(_safe_next(request))
    translation.activate(request.user.language)
    messages.success(request, _("The language was changed."))
    return HttpResponseRedirect(_safe_next(request))


urlpatterns = [
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="web:login"), name="logout"),
    path("password/", password_change, name="password_change"),
    path("language/", language, name="language"),
]
