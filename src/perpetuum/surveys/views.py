"""Survey pages: the list, the builder, a survey's answers and sending it, and the public
page a contact answers through their link (no sign-in, no JavaScript, CSRF-protected)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from perpetuum.clients.models import Contact
from perpetuum.core import access
from perpetuum.core.errors import Conflict
from perpetuum.surveys import selectors, services
from perpetuum.surveys.models import Question, Survey

BLANK_QUESTIONS = 3


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for key, field_messages in error.message_dict.items():
        name = key if key in form.fields else None
        for message in field_messages:
            form.add_error(name, message if name else f"{key}: {message}")


# --- The builder -----------------------------------------------------------------------------


class SurveyForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("Introduction"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    thank_you = forms.CharField(
        label=gettext_lazy("Thank-you text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language"), choices=Survey._meta.get_field("language").choices
    )
    is_active = forms.BooleanField(label=gettext_lazy("Open for answers"), required=False)
    allows_several_responses = forms.BooleanField(
        label=gettext_lazy("A link may be answered several times"), required=False
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class QuestionForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    text = forms.CharField(label=gettext_lazy("Question"), max_length=500, required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Question.Kind.choices)
    choices = forms.CharField(
        label=gettext_lazy("Choices, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    scale_max = forms.IntegerField(
        label=gettext_lazy("Scale up to"), min_value=2, max_value=10, initial=5
    )
    is_required = forms.BooleanField(label=gettext_lazy("Required"), required=False)

    def question_data(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        if not data.get("text", "").strip():
            return None
        choices = [line.strip() for line in data.get("choices", "").splitlines() if line.strip()]
        item: dict[str, Any] = {
            "kind": data["kind"],
            "text": data["text"].strip(),
            "choices": choices if data["kind"] in ("single", "multiple") else [],
            "scale_max": data.get("scale_max") or 5,
            "is_required": data.get("is_required", False),
        }
        if data.get("id"):
            item["id"] = data["id"]
        return item


QuestionFormSet = forms.formset_factory(QuestionForm, extra=0)


@login_required
def survey_list(request: HttpRequest) -> HttpResponse:
    page = selectors.survey_list(request.user, q=request.GET.get("q", ""))
    may_create = access.may_create(request.user, "interaction")
    return render(request, "surveys/list.html", {"page": page, "may_create": may_create})


@login_required
@require_http_methods(["GET", "POST"])
def survey_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """The survey builder: the survey's words, then its questions in order; blank rows are
    left out, and "add questions" gives more rows without JavaScript."""
    survey = selectors.survey_get(request.user, pk) if pk else None
    if request.method == "POST":
        form = SurveyForm(request.POST)
        formset = QuestionFormSet(request.POST, prefix="questions")
        if "add_rows" in request.POST:
            formset = _with_blank_rows(request.POST)
        elif form.is_valid() and formset.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            data["questions"] = [
                item for item in (f.question_data() for f in formset.forms) if item
            ]
            try:
                if survey is None:
                    survey = services.survey_create(actor=request.user, data=data)
                else:
                    survey = services.survey_update(
                        actor=request.user,
                        survey=survey,
                        data=data,
                        expected_version=form.cleaned_data.get("version"),
                    )
            except ValidationError as error:
                _add_errors(form, error)
            except Conflict as error:
                form.add_error(None, error.detail)
            else:
                messages.success(request, _("The survey was saved."))
                return redirect("surveys:detail", pk=survey.pk)
    else:
        initial = {"language": request.LANGUAGE_CODE[:2], "is_active": True}
        rows: list[dict[str, Any]] = []
        if survey is not None:
            initial = {name: getattr(survey, name) for name in services.SURVEY_FIELDS}
            initial["version"] = survey.version
            rows = [
                {
                    "id": question.pk,
                    "text": question.text,
                    "kind": question.kind,
                    "choices": "\n".join(question.choices),
                    "scale_max": question.scale_max,
                    "is_required": question.is_required,
                }
                for question in survey.questions.all()
            ]
        form = SurveyForm(initial=initial)
        rows += [{"kind": "text", "scale_max": 5}] * BLANK_QUESTIONS
        formset = QuestionFormSet(initial=rows, prefix="questions")
    return render(
        request, "surveys/edit.html", {"form": form, "formset": formset, "survey": survey}
    )


def _with_blank_rows(data: Any) -> Any:
    """The submitted rows and some blank ones after them."""
    submitted = QuestionFormSet(data, prefix="questions")
    rows = []
    if submitted.is_valid():
        rows = [f.cleaned_data for f in submitted.forms if f.cleaned_data]
    rows += [{"kind": "text", "scale_max": 5}] * BLANK_QUESTIONS
    return QuestionFormSet(initial=rows, prefix="questions")


class SendForm(forms.Form):
    contacts = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Contacts"), queryset=Contact.objects.none()
    )
    by_email = forms.BooleanField(label=gettext_lazy("Send by e-mail"), required=False)
    message = forms.CharField(
        label=gettext_lazy("Message (the link is added)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contacts"].queryset = access.scoped(
            user, Contact.objects.order_by("full_name", "pk")
        )[:500]


@login_required
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A survey: its questions, sending it, and the answers of the contacts one may see."""
    survey = selectors.survey_get(request.user, pk)
    responses = selectors.survey_responses(
        request.user, survey, cursor=request.GET.get("cursor") or None
    )
    context = {
        "survey": survey,
        "responses": responses,
        "send_form": SendForm(user=request.user, initial={"by_email": True}),
        "may_edit": access.is_administrator(request.user)
        or survey.created_by_id == request.user.pk,
        "links": request.session.pop("survey_links", None),
    }
    return render(request, "surveys/detail.html", context)


@login_required
@require_POST
def survey_send(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_get(request.user, pk)
    form = SendForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            invited = services.survey_send(
                actor=request.user,
                survey=survey,
                contact_ids=[contact.pk for contact in form.cleaned_data["contacts"]],
                link_for=lambda token: request.build_absolute_uri(
                    reverse("surveys:public", args=[token])
                ),
                by_email=form.cleaned_data["by_email"],
                message=form.cleaned_data["message"],
            )
        except (ValidationError, Conflict) as error:
            messages.error(request, "; ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(
                request, _("The survey went to %(count)d contacts.") % {"count": len(invited)}
            )
            if not form.cleaned_data["by_email"]:
                request.session["survey_links"] = [
                    {"contact": str(item.invitation.contact), "link": item.link} for item in invited
                ]
    else:
        messages.error(request, _("Choose the contacts to send the survey to."))
    return redirect("surveys:detail", pk=survey.pk)


# --- The public page ---------------------------------------------------------------------------


def answer_form(survey: Survey, data: Any = None) -> forms.Form:
    """A form of the survey's questions, one field per question (`question_<id>`)."""
    form = forms.Form(data)
    for question in survey.questions.all():
        name = f"question_{question.pk}"
        common = {
            "label": question.text,
            "required": question.is_required,
            "help_text": question.help_text,
        }
        if question.kind == Question.Kind.TEXT:
            field: forms.Field = forms.CharField(
                max_length=services.MAX_TEXT_ANSWER,
                widget=forms.Textarea(attrs={"rows": 3}),
                **common,
            )
        elif question.kind == Question.Kind.SINGLE:
            field = forms.ChoiceField(
                choices=[(choice, choice) for choice in question.choices],
                widget=forms.RadioSelect,
                **common,
            )
        elif question.kind == Question.Kind.MULTIPLE:
            field = forms.MultipleChoiceField(
                choices=[(choice, choice) for choice in question.choices],
                widget=forms.CheckboxSelectMultiple,
                **common,
            )
        else:
            labels = {1: question.scale_min_label, question.scale_max: question.scale_max_label}
            field = forms.TypedChoiceField(
                choices=[
                    (str(n), f"{n} – {labels[n]}" if labels.get(n) else str(n))
                    for n in range(1, question.scale_max + 1)
                ],
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "scale"}),
                **common,
            )
        form.fields[name] = field
    return form


@csrf_protect
@require_http_methods(["GET", "POST"])
def public_survey(request: HttpRequest, token: str) -> HttpResponse:
    """The page a contact answers through: found by the link's token alone (a wrong token is
    404), once per link unless the survey allows more, in the survey's language."""
    invitation = services.invitation_for_token(token)
    survey = invitation.survey
    with translation.override(survey.language):
        if not services.may_answer(invitation):
            return render(
                request,
                "surveys/public_closed.html",
                {"survey": survey, "answered": invitation.response_count > 0},
                status=409 if request.method == "POST" else 200,
            )
        form = answer_form(survey, request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            answers = {
                name.removeprefix("question_"): value for name, value in form.cleaned_data.items()
            }
            try:
                services.survey_answer(token=token, answers=answers)
            except ValidationError as error:
                _add_errors(form, error)
            except Conflict:
                return render(
                    request,
                    "surveys/public_closed.html",
                    {"survey": survey, "answered": True},
                    status=409,
                )
            else:
                return render(request, "surveys/public_thanks.html", {"survey": survey})
        return render(
            request,
            "surveys/public.html",
            {"survey": survey, "form": form, "contact": invitation.contact},
            status=400 if request.method == "POST" else 200,
        )
