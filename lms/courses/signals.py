"""What courses announces about enrolments; reports listens (courses imports none of it).

enrolment_reopened_or_left.send(enrolment_id=..., old_enrolled_at=..., old_left_at=...)
    after an existing enrolment is left or taken up again (flushed, in the transaction):
    its ``enrolled_at``/``left_at`` were ``old_enrolled_at``/``old_left_at`` before. A new
    enrolment is not announced.
"""

from blinker import Namespace

courses_signals = Namespace()
enrolment_reopened_or_left = courses_signals.signal("enrolment-reopened-or-left")
