"""The last resort: an exception no handler took becomes a Danish 500 with the security headers.

Starlette's own handler for that sits outside every middleware, so its English 500 carries none
of our headers; this middleware sits just inside the security headers, logs the error with its
traceback, and answers in the app's error shape. If the response had already begun, nothing can
be said any more, and the error goes on to the server.
"""

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.security.responses import error_response

logger = logging.getLogger("fremdrift")

SERVER_ERROR = "Der opstod en uventet fejl på serveren. Fejlen er logget; prøv igen om lidt."


class LastResortMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            logger.exception("Uventet fejl: %s %s", scope["method"], scope["path"])
            if started:
                raise
            await error_response(scope["path"], SERVER_ERROR, 500, code="ServerError")(scope, receive, send)
