"""CSRF protection for every state-changing request, HTMX and API included.

The token is a keyed digest of the session cookie (or, before log-in, of a random pre-session
cookie), so checking it needs no database and holds across app processes that share the secret.
A request proves it came from our own page by sending the token back, in the ``X-CSRF-Token``
header (HTMX and the API) or in a ``csrf_token`` form field (plain forms).
"""

from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.security.limits import MAX_BODY_BYTES, BodyTooLarge, read_body, replaying
from app.security.responses import error_response
from app.security.tokens import derive, new_token, same

SESSION_COOKIE = "fremdrift_session"
PRE_SESSION_COOKIE = "fremdrift_presession"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_FORM_BYTES = MAX_BODY_BYTES

REFUSED_MESSAGE = (
    "Anmodningen blev afvist, fordi sikkerhedsnøglen (CSRF) mangler eller er forældet. Genindlæs siden og prøv igen."
)


def csrf_token(secret_key: str, cookies: dict[str, str]) -> str | None:
    if session := cookies.get(SESSION_COOKIE):
        return derive(secret_key, "csrf-session", session)
    if pre_session := cookies.get(PRE_SESSION_COOKIE):
        return derive(secret_key, "csrf-presession", pre_session)
    return None


class CSRFMiddleware:
    def __init__(self, app: ASGIApp, *, secret_key: str, secure_cookies: bool) -> None:
        self.app = app
        self.secret_key = secret_key
        self.secure_cookies = secure_cookies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        cookies = dict(request.cookies)
        expected = csrf_token(self.secret_key, cookies)

        if scope["method"] in UNSAFE_METHODS:
            try:
                submitted, receive = await self._submitted_token(request, receive)
            except BodyTooLarge as error:
                await error_response(scope["path"], error.message, 413, code="BodyTooLarge")(scope, receive, send)
                return
            if expected is None or submitted is None or not same(submitted, expected):
                await error_response(scope["path"], REFUSED_MESSAGE, 403, code="csrf")(scope, receive, send)
                return

        new_pre_session = None
        if expected is None:
            new_pre_session = new_token()
            expected = derive(self.secret_key, "csrf-presession", new_pre_session)
        scope.setdefault("state", {})["csrf_token"] = expected

        if new_pre_session is None:
            await self.app(scope, receive, send)
            return

        cookie = Response()
        cookie.set_cookie(
            PRE_SESSION_COOKIE,
            new_pre_session,
            httponly=True,
            samesite="strict",
            secure=self.secure_cookies,
        )
        set_cookie = cookie.raw_headers[-1]

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append(set_cookie)
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    async def _submitted_token(self, request: Request, receive: Receive) -> tuple[str | None, Receive]:
        header = request.headers.get(CSRF_HEADER)
        if header:
            return header, receive
        content_type = request.headers.get("content-type", "")
        if not content_type.startswith("application/x-www-form-urlencoded"):
            return None, receive
        # Read the form body once (bounded), then hand the same bytes on to the app.
        body = await read_body(receive, MAX_FORM_BYTES)
        fields = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
        values = fields.get(CSRF_FIELD)
        return (values[0] if values else None), replaying(body, receive)
