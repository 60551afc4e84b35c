"""The sales pages, under /sales/ (see `perpetuum.urls`)."""

from django.urls import path

from perpetuum.sales import views

app_name = "sales"
urlpatterns = [
    path("", views.board, name="home"),
    path("products/", views.catalogue, name="catalogue"),
    path("products/compare/", views.compare, name="compare"),
    path("products/<int:pk>/", views.product_detail, name="product_detail"),
    path("deals/", views.deal_list, name="deal_list"),
    path("deals/new/", views.deal_create, name="deal_create"),
    path("deals/guard/", views.guard_panel, name="guard"),
    path("deals/<int:pk>/", views.deal_detail, name="deal_detail"),
    path("deals/<int:pk>/edit/", views.deal_edit, name="deal_edit"),
    path("deals/<int:pk>/move/", views.deal_move, name="deal_move"),
    path("board/", views.board, name="board"),
    path("board/<int:pipeline_id>/", views.board, name="pipeline_board"),
    path("orders/", views.order_list, name="order_list"),
    path("orders/new/", views.order_create, name="order_create"),
    path("orders/<int:pk>/", views.order_detail, name="order_detail"),
    path("orders/<int:pk>/status/", views.order_status, name="order_status"),
    path("orders/<int:pk>/invoice/", views.order_invoice, name="order_invoice"),
    path("invoices/", views.invoice_list, name="invoice_list"),
    path("invoices/<int:pk>/", views.invoice_detail, name="invoice_detail"),
    path(
        "invoices/<int:pk>/issue/", views.invoice_action, {"action": "issue"}, name="invoice_issue"
    ),
    path(
        "invoices/<int:pk>/cancel/",
        views.invoice_action,
        {"action": "cancel"},
        name="invoice_cancel",
    ),
    path("debts/", views.debts, name="debts"),
    path("debts/reminders/", views.debt_reminder, name="debt_reminder"),
    path("stats/", views.stats, name="stats"),
    path("settings/", views.sales_settings, name="settings"),
    path("accounts/<int:account_id>/panel/", views.account_panel, name="account_panel"),
]
