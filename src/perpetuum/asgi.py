"""ASGI entry point: `uvicorn perpetuum.asgi:application`."""

import gc
import os

from django.core.asgi import get_asgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perpetuum.settings")
application = get_asgi_application()

# Import every view now rather than on the first request, then put what start-up built (some
# hundreds of thousands of objects that live as long as the process) out of the garbage
# collector's sight: a full collection would otherwise walk them all again, tens of
# milliseconds added to whichever request triggers it.
get_resolver().url_patterns  # noqa: B018 - imports the URLconf and every view module
gc.collect()
gc.freeze()
