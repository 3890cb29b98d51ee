"""Refuse request bodies larger than any form or API call of ours needs.

A declared ``Content-Length`` over the limit is refused before anything is read. A body without
one (chunked) is read here, counting the bytes as they arrive, and refused as soon as it passes
the limit; otherwise the app gets exactly the bytes that were read. Either way the answer is a
413 with a Danish message, never the form or JSON parser's own English 400.

The limit is at Starlette's own per-field limit for forms (1 MiB), so a single field can never
trip that parser first. A route that needs more (an upload) reads with ``read_body`` and its own
limit, and its path is matched by a pattern in ``larger``.
"""

import re
from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.security.responses import error_response

MAX_BODY_BYTES = 1024 * 1024
TOO_LARGE = "Anmodningen er for stor: højst {limit} kB er tilladt."


class BodyTooLarge(Exception):
    """The body grew past the limit while it was being read."""

    def __init__(self, limit: int) -> None:
        super().__init__(TOO_LARGE.format(limit=limit // 1024))
        self.limit = limit
        self.message = str(self)


async def read_body(receive: Receive, max_bytes: int) -> bytes:
    """The whole body, read message by message; ``BodyTooLarge`` once it passes ``max_bytes``."""
    chunks: list[bytes] = []
    received = 0
    more = True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        received += len(chunk)
        if received > max_bytes:
            raise BodyTooLarge(max_bytes)
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


def replaying(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands on ``body`` once, then whatever the client sends next."""
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


class BodySizeLimitMiddleware:
    def __init__(
        self, app: ASGIApp, *, max_bytes: int = MAX_BODY_BYTES, larger: Mapping[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        # Paths (regular expressions, matched whole) allowed a larger body (uploads), with their limit.
        self.larger = [(re.compile(pattern), limit) for pattern, limit in (larger or {}).items()]

    def limit_for(self, path: str) -> int:
        return max([self.max_bytes, *(limit for pattern, limit in self.larger if pattern.fullmatch(path))])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            if not declared.isdigit() or int(declared) > limit:
                await error_response(scope["path"], BodyTooLarge(limit).message, 413, code="BodyTooLarge")(
                    scope, receive, send
                )
                return
            await self.app(scope, receive, send)
            return
        if scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        try:
            body = await read_body(receive, limit)
        except BodyTooLarge as error:
            await error_response(scope["path"], error.message, 413, code="BodyTooLarge")(scope, receive, send)
            return
        await self.app(scope, replaying(body, receive), send)
