"""``flask lms doctor``, ``flask lms backup DEST`` and ``flask lms restore SRC``."""

from pathlib import Path

import click

from lms.cli import lms_command
from lms.ops import backup as backups
from lms.ops.doctor import FAIL, WARN, run_checks


@lms_command("doctor")
def doctor() -> None:
    """Check this node's settings and the engines it uses; exit 1 on any problem."""
    findings = run_checks()
    for finding in findings:
        click.echo(finding.line())
    problems = sum(finding.level == FAIL for finding in findings)
    warnings = sum(finding.level == WARN for finding in findings)
    click.echo(f"{problems} problem(s), {warnings} warning(s)")
    if problems:
        raise SystemExit(1)


@lms_command("backup")
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
def backup(dest: Path) -> None:
    """Back up the database (and the local media folder) into the new folder DEST."""
    try:
        manifest = backups.backup(dest)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from None
    database = manifest["database"]
    media = sum(1 for name in manifest["files"] if name.startswith(f"{backups.MEDIA_DIR}/"))
    click.echo(
        f"backup written to {dest}: {database['kind']} database at {database['revision']} "
        f"({len(database['tables'])} tables, {sum(database['tables'].values())} rows), "
        f"{media} media files"
    )
    if manifest["storage"]["kind"] != "local":
        click.echo(
            f"media stay in bucket {manifest['storage']['bucket']}: keep it versioned or "
            "mirrored (docs/operations.md: Running on several machines)"
        )


@lms_command("restore")
@click.argument("src", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a target that already holds data.")
def restore(src: Path, force: bool) -> None:
    """Restore the backup in SRC into this deployment's database (and media folder)."""
    try:
        summary = backups.restore(src, force=force)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"restored from {src}: {summary['tables']} tables, {summary['rows']} rows, "
        f"{summary['media_files']} media files"
    )
    click.echo("next: `flask --app wsgi db upgrade` if the code is newer than the backup")
