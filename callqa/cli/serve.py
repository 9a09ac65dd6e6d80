"""`callqa serve`: the review UI on this machine. In production, gunicorn serves
`callqa.web:create_app()` instead (see README)."""
from __future__ import annotations

import click
from sqlalchemy import func, select

from callqa.cli.context import App, pass_app
from callqa.cli.signals import stop_on_signals
from callqa.models import User
from callqa.settings import Settings


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 opens the UI to the network.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(0, 65535),
              help="0 picks a free port.")
@pass_app
def serve_command(app: App, host: str, port: int) -> None:
    """Serve the review UI until Ctrl+C (a threaded server for one machine)."""
    with app.sessions() as session:
        if not session.scalar(select(func.count(User.id))):
            click.echo("no users yet: make one with `callqa create-user`, or run `callqa demo`")
    stop_on_signals()
    serve_ui(app.settings, host, port)


def serve_ui(settings: Settings, host: str, port: int) -> None:
    """Serve the review UI on host:port until interrupted."""
    from werkzeug.serving import make_server

    from callqa.web import create_app

    web_app = create_app({"CALLQA_SETTINGS": settings})
    server = make_server(host, port, web_app, threaded=True)  # exits saying why it cannot bind
    shown_host = f"[{host}]" if ":" in host else host
    try:  # a signal may come as soon as the line is out: it too must stop the server cleanly
        click.echo(f"review UI on http://{shown_host}:{server.server_port}/ (Ctrl+C stops it)")
        server.serve_forever()  # until interrupted: werkzeug takes the KeyboardInterrupt
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        web_app.extensions["callqa_engine"].dispose()
    click.echo("stopped")
