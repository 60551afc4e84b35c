"""The workspace's routes, gathered from the page modules in `web/views/`."""

from perpetuum.web.views import basics

app_name = "web"
urlpatterns = [*basics.urlpatterns]
