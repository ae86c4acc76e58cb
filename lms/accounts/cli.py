"""``flask lms create-user`` and the accounts part of ``flask lms seed-demo``."""

import click
from sqlalchemy import func, select

from lms.accounts import services
from lms.accounts.models import ROLES, User
from lms.cli import DEFAULT_DEMO_OPTIONS, DemoOptions, lms_command
from lms.extensions import db

# The 镇街 of Keqiao district (柯桥区). Codes follow the national town code pattern;
# the populations are illustrative round figures for the demo.
KEQIAO_TOWNS = [
    ("330603001", "柯桥街道", 180000),
    ("330603002", "柯岩街道", 110000),
    ("330603003", "华舍街道", 70000),
    ("330603004", "湖塘街道", 50000),
    ("330603005", "齐贤街道", 75000),
    ("330603006", "安昌街道", 65000),
    ("330603007", "马鞍街道", 60000),
    ("330603008", "钱清街道", 85000),
    ("330603009", "杨汛桥街道", 70000),
    ("330603010", "福全街道", 55000),
    ("330603011", "兰亭街道", 45000),
    ("330603101", "漓渚镇", 35000),
    ("330603102", "平水镇", 40000),
    ("330603103", "王坛镇", 25000),
    ("330603104", "稽东镇", 20000),
    ("330603105", "夏履镇", 20000),
]

DEMO_ACCOUNTS = [
    ("admin", "区管理员（演示）", ("admin",), "330603001", 1975),
    ("teacher", "王老师（演示）", ("teacher",), "330603001", 1982),
    ("staff", "柯桥社区学校李老师（演示）", ("staff",), "330603001", 1988),
    ("learner", "张阿姨（演示学员）", ("learner",), "330603001", 1958),
    ("learner2", "陈大伯（演示学员）", ("learner",), "330603001", 1950),
    ("learner3", "刘小芳（演示学员）", ("learner",), "330603008", 1995),
    ("learner4", "赵明（演示学员）", ("learner",), "330603102", 1970),
]


@lms_command("create-user")
@click.argument("username")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(ROLES))
@click.option("--town", "town_code", required=True, help="镇街 code, e.g. 330603001")
@click.option("--password", help="Prompted for when not given.")
@click.option("--name", "display_name", help="Display name (defaults to the username).")
def create_user(username, roles, town_code, password, display_name):
    """Create an account with one or more roles."""
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if services.find_town_by_code(town_code) is None:
        raise click.BadParameter(f"no town or street with code {town_code}", param_hint="--town")
    data = services.NewUser(
        username=username,
        display_name=display_name or username,
        password=password,
        town_code=town_code,
        roles=tuple(roles),
    )
    try:
        user = services.create_user(data, actor=None)
    except services.AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"created {user.username} ({', '.join(sorted(user.roles))})")


def accounts_held() -> str | None:
    """seed-demo's data check: a database with any account is in use."""
    count = db.session.scalar(select(func.count(User.id)))
    if not count:
        return None
    return f"{count} account" if count == 1 else f"{count} accounts"


def seed_accounts(password: str, options: DemoOptions = DEFAULT_DEMO_OPTIONS) -> list[str]:
    """The towns and the demo accounts; an account already there is left as it is (its
    password and roles are someone's now)."""
    for code, name, population in KEQIAO_TOWNS:
        services.upsert_town(code, name, population)
    lines = ["Demo log-ins (username / password):"]
    for username, display_name, roles, town_code, birth_year in DEMO_ACCOUNTS:
        if services.find_user_by_username(username) is not None:
            lines.append(f"  {username:<10} already there: left as it is")
            continue
        user = services.create_user(
            services.NewUser(username, display_name, password, town_code, None, birth_year, roles),
            actor=None,
        )
        services.record_consent(user)
        lines.append(f"  {username:<10} / {password}   {', '.join(roles)}")
    return lines


def demo_accounts_with_password(password: str) -> list[str]:
    """The demo accounts (by username) that can still log in with ``password``.

    Only the few demo usernames: each check costs a scrypt hash (~32 MiB).
    """
    usernames = [username for username, *_ in DEMO_ACCOUNTS]
    users = db.session.scalars(
        select(User).where(User.username.in_(usernames), User.disabled.is_(False))
    )
    found = {user.username for user in users if user.check_password(password)}
    return [username for username in usernames if username in found]
