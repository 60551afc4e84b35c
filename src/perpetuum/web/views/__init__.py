"""The HTML pages of the workspace, one module per area; each module exports `urlpatterns`."""
