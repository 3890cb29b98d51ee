"""The one answer to "is this an API request?", used by every middleware and error handler.

A request is an API request when its path is under ``/api/``, except the API's own HTML
documentation page. API requests get JSON errors of one shape (``app.api.errors``); everything
else gets a Danish HTML page.
"""

API_PREFIX = "/api/"
HTML_UNDER_API = frozenset({"/api/docs"})


def is_api_request(path: str) -> bool:
    return (path == "/api" or path.startswith(API_PREFIX)) and path not in HTML_UNDER_API
