"""The document pages: quotes, contracts, templates and downloads, under /documents/."""

from django.urls import path

from perpetuum.documents import views

app_name = "documents"
urlpatterns = [
    path("quotes/", views.quote_list, name="quote_list"),
    path("quotes/new/<int:account_id>/", views.quote_create, name="quote_create"),
    path("quotes/<int:pk>/", views.quote_detail, name="quote_detail"),
    path("quotes/<int:pk>/products/", views.quote_products, name="quote_products"),
    path("quotes/<int:pk>/lines/", views.quote_line_add, name="quote_line_add"),
    path("quotes/<int:pk>/lines/<int:line_id>/", views.quote_line_update, name="quote_line_update"),
    path("quotes/<int:pk>/send/", views.quote_send, name="quote_send"),
    path("quotes/<int:pk>/<str:action>/", views.quote_action, name="quote_action"),
    path("accounts/<int:account_id>/", views.account_documents, name="account_documents"),
    path("accounts/<int:account_id>/contract/", views.contract_create, name="contract_create"),
    path("templates/", views.template_list, name="template_list"),
    path("templates/new/", views.template_edit, name="template_create"),
    path("templates/preview/", views.template_preview, name="template_preview"),
    path("templates/<int:pk>/", views.template_edit, name="template_edit"),
    path("<int:pk>/download/", views.document_download, name="download"),
]
