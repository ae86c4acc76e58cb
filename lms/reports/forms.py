from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, StringField
from wtforms.validators import Length, Optional


class PeriodForm(FlaskForm):
    """The dashboard's filter (a GET form): a named period or a range of days, a 镇街."""

    class Meta:
        csrf = False

    period = StringField(_l("Period"), validators=[Optional(), Length(max=30)])
    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("To"), validators=[Optional()])
    town = IntegerField(_l("Town or street"), validators=[Optional()])
    page = IntegerField(validators=[Optional()])
