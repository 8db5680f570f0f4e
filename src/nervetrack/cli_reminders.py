"""`nervetrack reminders ...`: send the due check-in reminders and the clinic's alert emails (for cron or a
systemd timer; any number may run at once, on any number of machines sharing the database)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

reminders_app = typer.Typer(help="Check-in reminders by email and text message.", no_args_is_help=True)


@reminders_app.command("run")
def reminders_run(
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="Directory for the SQLite database (default ./data).")
    ] = None,
    loop: Annotated[
        float, typer.Option("--loop", min=0, help="Keep running, one pass every this many seconds (0: one pass).")
    ] = 0,
    passes: Annotated[int, typer.Option("--passes", min=1, help="With --loop: stop after this many passes.")] = 10**9,
) -> None:
    """Queue today's due reminders and send every reminder and alert email that is ready, exactly once."""
    from nervetrack import cli
    from nervetrack.adapters.mail import SmtpUrlError
    from nervetrack.services.reminder_sender import Sender, transports_from

    settings = cli._settings(data_dir)
    try:
        transports = transports_from(settings)
    except SmtpUrlError as error:
        cli._fail([str(error)])
    if not transports:
        typer.echo("no channel configured (NERVETRACK_SMTP_URL, NERVETRACK_SMS_*): reminders are queued only", err=True)
    sender = Sender(cli._upgraded_uow(settings), settings, transports)
    for number in range(passes):
        report = sender.run_once()
        reasons = ", ".join(f"{why}: {n}" for why, n in sorted(report.skipped_because.items()))
        typer.echo(
            f"queued {report.queued}, sent {report.sent}, retried {report.retried}, failed {report.failed}, "
            f"bounced {report.bounced}, skipped {report.skipped}{f' ({reasons})' if reasons else ''}, "
            f"deferred for quiet hours {report.deferred}, alert emails {report.alerts_sent}"
            + (" (another sender holds the SQLite lease)" if report.waiting_for_lease else "")
        )
        if not loop or number + 1 == passes:
            break
        time.sleep(loop)
