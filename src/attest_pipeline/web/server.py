"""Running the page: the checks before listening, then the WSGI server (waitress).

waitress is a pure-Python, production-grade WSGI server with no dependencies of its own; the
page serves a handful of people on one machine or an office network, which its threads do
well.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Sequence
from types import FrameType

from attest_pipeline.config import Config, ServeConfig
from attest_pipeline.errors import ConfigError
from attest_pipeline.web.accounts import read_users


def check_serving(config: Config, serve: ServeConfig) -> None:
    """Refuse what would expose the dossiers: another host than loopback without accounts."""
    if serve.accounts is None:
        if not serve.loopback:
            raise ConfigError(
                config.source,
                f"[serve] host {serve.host} would open the dossiers to the network without "
                "accounts: set [serve] accounts and add users (attest user add NAME), "
                "or listen on 127.0.0.1",
            )
        return
    if not read_users(serve.accounts):
        raise ConfigError(
            serve.accounts,
            "no account yet: add one with attest user add NAME (or remove [serve] accounts)",
        )


def serve(
    config: Config,
    serve_config: ServeConfig,
    *,
    options: Sequence[str] = (),
    say: Callable[[str], None] = print,
) -> None:
    """Check, then serve the page until interrupted."""
    import waitress

    from attest_pipeline.web.app import create_app, run_command, warm

    check_serving(config, serve_config)
    config = _with_serve(config, serve_config)
    app = create_app(config, run=run_command(config, options))
    warm(app)  # about 0.6 s for 2,000 physicians, once, rather than in a first request
    server = waitress.create_server(
        app, host=serve_config.host, port=serve_config.port, threads=8, ident="attest"
    )
    host = serve_config.host if ":" not in serve_config.host else f"[{serve_config.host}]"
    say(f"attest serve: http://{host}:{server.effective_port}/ (Ctrl-C to stop)")
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        server.run()  # returns on Ctrl-C (waitress catches KeyboardInterrupt)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.close()
    say("attest serve: stopped")


def _interrupt(signum: int, frame: FrameType | None) -> None:
    """SIGTERM (systemd's stop) ends the server as Ctrl-C does."""
    raise KeyboardInterrupt


def _with_serve(config: Config, serve_config: ServeConfig) -> Config:
    from dataclasses import replace

    return replace(config, serve=serve_config)
