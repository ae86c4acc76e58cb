import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from lms.accounts import services
from lms.accounts.importing import ImportFileError, import_learners
from lms.accounts.models import User
from lms.extensions import db


def new_user(**fields):
    values = dict(
        username="zhang01",
        display_name="张三",
        password="long-enough-1",
        town_code=None,
        roles=("teacher",),
    )
    values.update(fields)
    return services.NewUser(**values)


def test_password_is_stored_hashed_and_checked(app, make_user):
    made = make_user(password="secret-pass-1")
    with app.app_context():
        user = db.session.get(User, made.id)
        assert "secret-pass-1" not in user.password_hash
        assert user.check_password("secret-pass-1")
        assert not user.check_password("secret-pass-2")
        assert services.authenticate(made.username.upper(), "secret-pass-1").id == made.id
        assert services.authenticate(made.username, "wrong") is None


@pytest.mark.parametrize(
    ("fields", "message_part"),
    [
        ({"username": "a"}, "3"),
        ({"password": "short"}, "8"),
        ({"phone": "12345"}, "11"),
        ({"birth_year": 1800}, "1800"),
        ({"roles": ("wizard",)}, "wizard"),
        ({"roles": ("learner",)}, "town|镇街"),  # a learner needs one
        ({"town_code": "000000"}, "000000"),
    ],
)
def test_create_user_refuses_bad_fields_and_writes_nothing(app, fields, message_part):
    with app.app_context():
        with pytest.raises(services.AccountError, match=message_part):
            services.create_user(new_user(**fields), actor=None)
        assert db.session.scalar(select(func.count(User.id))) == 0


def test_username_is_unique_ignoring_case(app, make_user):
    make_user(username="wangwu")
    with app.app_context(), pytest.raises(services.AccountError):
        services.create_user(new_user(username="WangWu"), actor=None)


def test_phone_is_masked_for_display(app, make_user):
    made = make_user(phone="13812345678")
    with app.app_context():
        assert db.session.get(User, made.id).masked_phone == "138****5678"


def test_changing_the_password_rotates_the_session_token(app, make_user):
    made = make_user()
    with app.app_context():
        user = db.session.get(User, made.id)
        services.change_password(user, made.password, "a-new-password")
        assert user.get_id() != made.session_id
        with pytest.raises(services.AccountError):
            services.change_password(user, "not-the-password", "another-one-1")


def test_generated_passwords_are_long_and_differ():
    first, second = services.generate_password(), services.generate_password()
    assert len(first) >= 10 and first != second
    assert services.check_password_strength(first) is None


def sheet(rows) -> io.BytesIO:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def test_import_reports_each_row_and_keeps_the_good_ones(app, make_user, make_town):
    town = make_town()
    admin = make_user("admin")
    taken = make_user(username="taken1")
    rows = [
        ("用户名", "姓名", "镇街代码", "手机", "出生年份", "初始密码"),
        ("li01", "李一", town.code, "13900001111", 1950, "password-1"),
        ("li02", "李二", "999999", None, None, None),  # unknown 镇街
        (taken.username, "重名", town.code, None, None, None),
        ("li03", "李三", town.code, None, "nineteen", None),
        ("li04", "李四", town.code, None, 1960, None),  # password generated
    ]
    with app.app_context():
        report = import_learners(sheet(rows), actor=db.session.get(User, admin.id), max_rows=100)
        db.session.commit()
        assert [(row.row_number, row.created) for row in report] == [
            (2, True),
            (3, False),
            (4, False),
            (5, False),
            (6, True),
        ]
        assert "999999" in report[1].reason
        assert report[0].password == ""  # given in the sheet, not echoed
        generated = report[4].password
        assert services.authenticate("li04", generated) is not None
        assert services.authenticate("li01", "password-1").roles == {"learner"}
        assert services.find_user_by_username("li02") is None


def test_import_refuses_a_sheet_without_the_required_columns(app, make_user):
    admin = make_user("admin")
    with app.app_context(), pytest.raises(ImportFileError, match="镇街代码|town"):
        import_learners(
            sheet([("用户名", "姓名")]), actor=db.session.get(User, admin.id), max_rows=10
        )


def test_import_refuses_a_file_that_is_not_xlsx(app, make_user):
    admin = make_user("admin")
    with app.app_context(), pytest.raises(ImportFileError):
        import_learners(
            io.BytesIO(b"not a workbook"), actor=db.session.get(User, admin.id), max_rows=10
        )
