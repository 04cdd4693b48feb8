"""``corvus serve``: the HTTP server (SSE streams) without the window."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from interview_corvus.cli.common import UsageError, history_store, settings_from

TOKEN_ENV = "INTERVIEW_CORVUS_SERVER_TOKEN"


def serve(args: argparse.Namespace) -> int:
    import signal
    import threading

    from interview_corvus.api.server import EmbeddedServer, ServerConfigError, new_token
    from interview_corvus.core.config.heap import settle
    from interview_corvus.core.errors import CorvusError
    from interview_corvus.core.runs.hub import RunHub
    from interview_corvus.core.runs.service import LLMService

    settings = settings_from(args)
    host = args.host or settings.server.host
    port = settings.server.port if args.port is None else args.port
    token, generated = _token(args, new_token)
    service = LLMService(settings)
    try:
        provider = service.provider
    except CorvusError as exc:
        raise UsageError(exc.message) from None
    hub = RunHub(service, history_store(),
                 remote_concurrency=settings.server.max_concurrent_remote)
    hub.verify_http = bool(getattr(args, "verify", False))
    try:
        extra = list(args.allow_host)
        if host in ("0.0.0.0", "::"):  # the LAN address this machine is reached at
            from interview_corvus.api.server import lan_address

            extra += [a for a in (lan_address(),) if a]
        settle()  # start-up is over: full collections need not walk all of it again
        server = EmbeddedServer(hub, host=host, port=port, token=token,
                                allowed_hosts=tuple(extra),
                                rate_per_minute=settings.server.rate_per_minute).start()
    except ServerConfigError as exc:
        raise UsageError(str(exc)) from None
    sys.stderr.write(f"Interview Corvus serving on {server.url} ({provider.name} · "
                     f"{provider.model}); Ctrl+C stops.\n")
    if token and generated:
        sys.stderr.write(f"token: {token}\n")  # shown once, to the user who asked for it
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    # every open stream gets its run's one final event before the server closes
    hub.shutdown()
    server.stop()
    provider.close()
    return 0


def _token(args: argparse.Namespace, new_token: Any) -> tuple[str | None, bool]:
    """The server token: --token, else --token-file, else the environment; 'auto' makes one."""

    if args.token and args.token_file:
        raise UsageError("give --token or --token-file, not both")
    if args.token_file:
        try:
            token = Path(args.token_file).read_text(encoding="utf-8").strip().splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read the token file {args.token_file}: "
                             f"{getattr(exc, 'strerror', None) or exc}") from None
        if not token or not token[0].strip():
            raise UsageError(f"the token file {args.token_file} is empty")
        return token[0].strip(), False
    value = args.token or os.environ.get(TOKEN_ENV) or None
    return (new_token(), True) if value == "auto" else (value, False)
