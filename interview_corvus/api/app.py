"""The FastAPI app: endpoints over the run hub (see DESIGN.md, "Endpoints").

Streams use ``text/event-stream`` with one JSON ``data:`` line and an integer
``id:`` per event and no ``event:`` field. Delta mode is asked for with the
query parameter ``?delta=1`` (works for EventSource and fetch alike). The routes
live in ``api.routes``; error answers in ``api.errors``; SSE framing in
``api.sse``; how a route answers with a run in ``api.streams``.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response

from interview_corvus import __version__
from interview_corvus.api.errors import install_error_handlers
from interview_corvus.api.openapi import install_openapi
from interview_corvus.api.routes.answers import answers_router
from interview_corvus.api.routes.runs import runs_router
from interview_corvus.api.security import RateLimiter, SecurityMiddleware
from interview_corvus.api.streams import Streams
from interview_corvus.core.answers.models import LANGUAGES
from interview_corvus.core.errors import CorvusError
from interview_corvus.core.runs.hub import RunHub

_CSP = ("default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'unsafe-inline'; "
        "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'")


def create_app(hub: RunHub, *, token: str | None = None, allowed_hosts: tuple[str, ...] = (),
               allowed_origins: tuple[str, ...] = (), rate_per_minute: int = 60,
               max_body: int = 256 * 1024, send_timeout: float = 10.0,
               ping: int = 15) -> Any:
    """The ASGI app (FastAPI wrapped in the security middleware).

    ``app.state.closing`` (an ``asyncio.Event`` on the server's loop, created at
    first use) ends open streams when the embedded server stops.
    """
    app = FastAPI(title="Interview Corvus", version=__version__,
                  description="Structured coding answers, streamed live as Server-Sent "
                              "Events. Add `?delta=1` to a stream for patch events.")
    app.state.hub = hub
    app.state.closing = None
    install_error_handlers(app)
    install_openapi(app)
    streams = Streams(hub, app.state, ping=ping, send_timeout=send_timeout)
    app.include_router(answers_router(streams))
    app.include_router(runs_router(streams))

    @app.get("/health", tags=["server"])
    async def health() -> dict[str, Any]:
        """The server's state and which model answers (``model``: its name, ``model_detail``:
        name, size and quantization for a local model; empty when the provider cannot be
        built, e.g. a missing API key — the runs say why)."""
        provider = hub.service.settings.llm.provider
        try:
            built = hub.service.provider
            model, detail = built.model, built.describe()
        except CorvusError:
            model = detail = ""
        return {"status": "ok", "version": __version__, "provider": provider,
                "model": model, "model_detail": detail,
                "active_runs": hub.active_count(), "languages": list(LANGUAGES)}

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def page() -> HTMLResponse:
        html = resources.files("interview_corvus.api").joinpath("static/index.html")
        return HTMLResponse(html.read_text(encoding="utf-8"),
                            headers={"Content-Security-Policy": _CSP,
                                     "X-Frame-Options": "DENY"})

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> Response:
        return Response(status_code=204)

    @app.get("/favicon.svg", include_in_schema=False)
    async def favicon_svg() -> Response:
        icon = resources.files("interview_corvus.resources") / "icons" / "corvus.svg"
        try:
            return Response(icon.read_bytes(), media_type="image/svg+xml",
                            headers={"Cache-Control": "max-age=86400"})
        except OSError:
            return Response(status_code=204)

    limiter = RateLimiter(rate=rate_per_minute, per=60.0)
    wrapped = SecurityMiddleware(app, allowed_hosts=allowed_hosts,
                                 allowed_origins=allowed_origins, token=token,
                                 max_body=max_body, limiter=limiter)
    wrapped.state = app.state  # type: ignore[attr-defined]
    wrapped.fastapi = app  # type: ignore[attr-defined]
    return wrapped
