"""The credit rule in force, cached per process: every posting reads it.

A change of rules is a new CreditRule row (services.change_rules); written in this
process it empties the cache (at the flush, and again at the commit or rollback). Other
web processes post with the rule they hold until their copy expires, at most
``RULES.ttl`` seconds later (docs/credit-bank.md); each entry records the version it
was posted with.
"""

from dataclasses import dataclass

from lms.credits.ledger import current_rule, latest_rule
from lms.credits.models import CreditRule
from lms.row_cache import RowCache

RULES = RowCache("lms_credit_rule_in_force", (CreditRule,))


@dataclass(frozen=True)
class RuleInForce:
    """A CreditRule's rates and caps, as the postings read them."""

    version: int
    credits_per_online_hour: float
    credits_per_offline_hour: float
    daily_cap: float
    yearly_cap: float
    credits_per_exam_passed: float

    @classmethod
    def of(cls, rule: CreditRule) -> "RuleInForce":
        return cls(
            rule.version,
            rule.credits_per_online_hour,
            rule.credits_per_offline_hour,
            rule.daily_cap,
            rule.yearly_cap,
            rule.credits_per_exam_passed,
        )


def _load(_key) -> RuleInForce | None:
    rule = latest_rule()
    return None if rule is None else RuleInForce.of(rule)


def rule_in_force() -> RuleInForce:
    """The rules in force; before the district sets any, the documented defaults are
    written (ledger.current_rule) and cached from the next call on."""
    return RULES.get("latest", _load) or RuleInForce.of(current_rule())


def connect() -> None:
    RULES.connect()
