"""``flask lms verify-ledger`` and the credits part of ``flask lms seed-demo``."""

import click

from lms.cli import lms_cli
from lms.credits.ledger import learners_with_ledgers, verify_chain


@lms_cli.command("verify-ledger")
@click.option("--learner", "learner_id", type=int, help="Only this learner's chain.")
def verify_ledger(learner_id: int | None) -> None:
    """Walk the ledger chains; name the first broken entry and exit 1 if one is broken."""
    learner_ids = [learner_id] if learner_id else learners_with_ledgers()
    broken = 0
    for current in learner_ids:
        problem = verify_chain(current)
        if problem is not None:
            broken += 1
            where = f"entry seq {problem.seq} (id {problem.entry_id})" if problem.entry_id \
                else f"head (seq {problem.seq})"
            click.echo(f"learner {current}: broken at {where}: {problem.problem}")
    click.echo(f"{len(learner_ids)} chains checked, {broken} broken")
    if broken:
        raise SystemExit(1)
