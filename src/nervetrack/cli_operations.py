"""Operations commands: `nervetrack clinician disable`, `nervetrack backup PATH`, `nervetrack restore PATH`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nervetrack import cli


def register(app: typer.Typer, clinician_app: typer.Typer) -> None:
    """Add the operations commands to the CLI."""
    clinician_app.command("disable")(clinician_disable)
    clinician_app.command("password")(clinician_password)
    app.command("backup")(backup)
    app.command("restore")(restore)


def clinician_disable(
    email: Annotated[str, typer.Argument(help="The clinician's login email.")],
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="Directory for the SQLite database (default ./data).")
    ] = None,
) -> None:
    """Disable a clinician's login and end every session of theirs at once (on every server process)."""
    from nervetrack.services.clinician_sessions import disable_clinician
    from nervetrack.services.errors import NotFound

    try:
        clinician, ended = disable_clinician(cli._upgraded_uow(cli._settings(data_dir)), email)
    except NotFound as error:
        cli._fail([f"EMAIL: {error}"])
    typer.echo(f"disabled clinician {clinician.id} ({clinician.email}); {ended} session(s) ended")


def clinician_password(
    email: Annotated[str, typer.Argument(help="The clinician's login email.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the new password from the first line of standard input.")
    ] = False,
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="Directory for the SQLite database (default ./data).")
    ] = None,
) -> None:
    """Set a clinician's password; every session opened with the old one ends."""
    import sys

    from nervetrack.services.clinics import MIN_PASSWORD, set_password
    from nervetrack.services.errors import NotFound

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_PASSWORD:
        cli._fail([f"password: must have at least {MIN_PASSWORD} characters"])
    try:
        changed = set_password(cli._upgraded_uow(cli._settings(data_dir)), email, password)
    except NotFound as error:
        cli._fail([f"EMAIL: {error}"])
    typer.echo(f"password of clinician {changed.id} ({changed.email}) changed; their sessions ended")


def backup(
    path: Annotated[Path, typer.Argument(help="The backup file to write (replaced if it exists).")],
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="Directory for the SQLite database (default ./data).")
    ] = None,
) -> None:
    """Back up the whole database while it serves (SQLite's online backup API, pg_dump for PostgreSQL)."""
    from nervetrack.adapters.db import backup as backups

    engine = cli._upgraded_engine(cli._settings(data_dir))
    try:
        backups.backup(engine, path)
    except backups.BackupError as error:
        cli._fail([str(error)])
    typer.echo(f"backed up {backups.describe(engine)} to {path}")


def restore(
    path: Annotated[Path, typer.Argument(help="A backup file written by `nervetrack backup`.")],
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="Directory for the SQLite database (default ./data).")
    ] = None,
) -> None:
    """Replace the whole database with a backup (stop the servers first), then bring its schema up to date."""
    from nervetrack.adapters.db import backup as backups
    from nervetrack.adapters.db.engine import make_engine

    engine = make_engine(cli._settings(data_dir))
    try:
        backups.restore(engine, path)
    except backups.BackupError as error:
        cli._fail([str(error)])
    engine.dispose()
    engine = cli._upgraded_engine(cli._settings(data_dir))
    typer.echo(f"restored {backups.describe(engine)} from {path}")
