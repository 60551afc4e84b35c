"""Questionnaires sent to contacts as links, and the answers kept on the contact."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from perpetuum.core.models import Record


class Survey(Record):
    """A questionnaire: its questions, the words around them, and whether one link may be
    answered more than once (`allows_several_responses`)."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("introduction"), blank=True)
    thank_you = models.TextField(_("thank-you text"), blank=True)
    language = models.CharField(
        _("language"),
        max_length=5,
        default="en",
        choices=[("en", "English"), ("de", "Deutsch"), ("ru", "Русский"), ("fr", "Français")],
    )
    is_active = models.BooleanField(_("open for answers"), default=True)
    allows_several_responses = models.BooleanField(
        _("a link may be answered several times"), default=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    """One question of a survey: free text, one choice, several choices, or a scale from
    1 to `scale_max`."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        SINGLE = "single", _("One choice")
        MULTIPLE = "multiple", _("Several choices")
        SCALE = "scale", _("Scale")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    text = models.CharField(_("question"), max_length=500)
    help_text = models.CharField(_("help"), max_length=300, blank=True)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    scale_max = models.PositiveSmallIntegerField(
        _("scale up to"),
        default=5,
        validators=[MinValueValidator(2), MaxValueValidator(10)],
    )
    scale_min_label = models.CharField(_("label of 1"), max_length=60, blank=True)
    scale_max_label = models.CharField(_("label of the top"), max_length=60, blank=True)
    is_required = models.BooleanField(_("required"), default=False)

    class Meta:
        ordering = ["survey", "position", "id"]

    def __str__(self) -> str:
        return self.text


class SurveyInvitation(models.Model):
    """A survey sent to one contact: a link with an unguessable token. Only the token's
    SHA-256 is stored, so the database alone does not give the links away."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    contact = models.ForeignKey(
        "clients.Contact", on_delete=models.CASCADE, related_name="survey_invitations"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    sent_to = models.CharField(_("sent to"), max_length=254, blank=True)
    sent_at = models.DateTimeField(default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    response_count = models.PositiveIntegerField(default=0)
    last_response_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["contact", "-sent_at"], name="survey_invitation_contact")]

    def __str__(self) -> str:
        return f"{self.survey} → {self.contact_id}"


class SurveyResponse(models.Model):
    """One submitted questionnaire, kept on the contact who answered it."""

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    invitation = models.ForeignKey(
        SurveyInvitation, null=True, on_delete=models.SET_NULL, related_name="responses"
    )
    contact = models.ForeignKey(
        "clients.Contact", on_delete=models.CASCADE, related_name="survey_responses"
    )
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["contact", "-submitted_at"], name="survey_response_contact"),
            models.Index(fields=["survey", "-submitted_at"], name="survey_response_survey"),
        ]

    def __str__(self) -> str:
        return f"{self.survey} ({self.submitted_at:%Y-%m-%d})"


class SurveyAnswer(models.Model):
    """The answer to one question, with the question's words as they were asked (the survey
    may be edited later). `value` is text, a choice, a list of choices or a number;
    `display` is how it reads."""

    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(
        Question, null=True, on_delete=models.SET_NULL, related_name="answers"
    )
    position = models.PositiveIntegerField(default=0)
    question_text = models.CharField(max_length=500)
    kind = models.CharField(max_length=10, choices=Question.Kind.choices)
    value = models.JSONField(null=True)
    display = models.TextField(blank=True)

    class Meta:
        ordering = ["response", "position", "id"]

    def __str__(self) -> str:
        return f"{self.question_text}: {self.display}"
