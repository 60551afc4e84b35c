"""The survey pages, and the public page a survey link opens."""

from django.urls import path

from perpetuum.surveys import views

app_name = "surveys"
urlpatterns = [
    path("surveys/", views.survey_list, name="list"),
    path("surveys/new/", views.survey_edit, name="create"),
    path("surveys/<int:pk>/", views.survey_detail, name="detail"),
    path("surveys/<int:pk>/edit/", views.survey_edit, name="edit"),
    path("surveys/<int:pk>/send/", views.survey_send, name="send"),
    path("s/<str:token>/", views.public_survey, name="public"),
]
