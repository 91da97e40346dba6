"""``tandem worker``: count the themes of stored messages waiting in the outbox, as a process of its own."""

from __future__ import annotations

import signal
import threading
from typing import Annotated

import typer

from assistant.commands.common import console, load_settings


def register(app: typer.Typer) -> None:
    @app.command()
    def worker(
        once: Annotated[bool, typer.Option("--once", help="Count what waits now, then exit.")] = False,
    ) -> None:
        """Count the themes of messages waiting in the outbox until stopped (Ctrl-C or SIGTERM finish the
        message in hand). Run it beside servers started with THEME_WORKER=external."""
        from assistant.services import build_services

        services = build_services(load_settings())
        try:
            if once:
                counted = 0
                while done := services.themes.drain_outbox():
                    counted += done
                console.print(f"{counted} messages counted; {services.themes.outbox_size()} waiting", highlight=False)
                return
            stop = threading.Event()
            for signum in (signal.SIGINT, signal.SIGTERM):
                signal.signal(signum, lambda *_: stop.set())
            console.print("theme worker: counting the outbox (Ctrl-C to stop)", highlight=False)
            services.themes.run_worker(stop)
        finally:
            services.engine.dispose()
