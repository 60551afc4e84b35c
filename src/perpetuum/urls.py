"""The site's routes: the web workspace, the API and the operators' back office."""

from django.contrib import admin
from django.urls import include, path

from perpetuum.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("sales/", include("perpetuum.sales.urls")),
    path("", include("perpetuum.web.urls")),
    path("documents/", include("perpetuum.documents.urls")),
    path("", include("perpetuum.surveys.urls")),
]
