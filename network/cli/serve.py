"""``cssnet serve``: the API and the web pages over HTTP."""

from __future__ import annotations

import shutil
import sys
import tempfile

import click

from network.cli.base import cli, location_of, store_of
from network.translation import translate


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback by default).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Processes serving on one socket, each with --threads threads, against the same store.")
@click.option("--demo", is_flag=True, help="Serve a temporary store seeded with the demo network; prints an admin "
                                           "token.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, threads: int, workers: int, demo: bool) -> None:
    """Serve the API and the web pages with waitress (a production WSGI server)."""
    from network.api import create_app
    from network.api.serve import demo_store, listen, serve_workers
    from network.api.serve import serve as run_server

    try:
        sock = listen(host, port)
    except OSError as err:
        click.echo(translate("error: cannot listen on %(where)s (%(why)s); another program may be using it: choose "
                             "another --port.", where=":".join((host, str(port))), why=err.strerror or err), err=True)
        sys.exit(1)
    location = location_of(ctx)
    folder = tempfile.mkdtemp(prefix="cssnet-demo-") if demo else None
    status = 0
    try:
        if folder:
            path, secret = demo_store(folder)
            location = str(path)
            click.echo(translate("demo store: %(path)s (removed when the server stops)", path=path))
            click.echo(translate("admin token (shown once): %(secret)s", secret=secret))
        where = f"http://{host}:{sock.getsockname()[1]}/"
        if workers == 1:
            app = create_app({"STORE": location if demo else store_of(ctx)})
            click.echo(translate("serving on %(where)s  (API: /api/v1, docs: /api/v1/docs; Ctrl-C stops)",
                                 where=where))
            run_server(app, threads=threads, sock=sock)
        else:
            if not demo:
                store_of(ctx).revision()  # the store exists, is reachable and has its schema before the workers open it
            click.echo(translate("serving on %(where)s with %(num)s processes  (API: /api/v1, docs: /api/v1/docs; "
                                 "Ctrl-C stops)", where=where, num=workers))
            status = serve_workers(sock, workers, threads=threads, store=location)
    finally:
        sock.close()
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
    sys.exit(status)
