"""Error answers given below the routes (middleware, the last-resort handler), in the app's one
error shape: JSON ``{"detail", "code", "field"}`` for the API, a small Danish page otherwise.

They need no template, so they work even when what failed was the templating.
"""

from html import escape

from starlette.responses import HTMLResponse, JSONResponse, Response

from app.security.api_request import is_api_request

TITLES = {
    403: "Afvist",
    413: "For stor anmodning",
    429: "For mange anmodninger",
    500: "Der opstod en fejl",
    503: "Prøv igen om lidt",
}


def error_response(
    path: str, message: str, status_code: int, *, code: str, headers: dict[str, str] | None = None
) -> Response:
    if is_api_request(path):
        body = {"detail": message, "code": code, "field": None}
        return JSONResponse(body, status_code=status_code, headers=headers)
    title = TITLES.get(status_code, "Fejl")
    page = (
        '<!doctype html><html lang="da"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title} – Fremdrift</title>'
        '<link rel="stylesheet" href="/static/app.css"></head>'
        f'<body><main class="error-page"><h1>{title}</h1><p>{escape(message)}</p>'
        '<p><a href="/">Til forsiden</a></p></main></body></html>'
    )
    return HTMLResponse(page, status_code=status_code, headers=headers)
