"""What courses announces about enrolments and take-downs; reports and study listen
(courses imports neither).

enrolment_reopened_or_left.send(enrolment_id=..., old_enrolled_at=..., old_left_at=...)
    after an existing enrolment is left or taken up again (flushed, in the transaction):
    its ``enrolled_at``/``left_at`` were ``old_enrolled_at``/``old_left_at`` before. A new
    enrolment is not announced.

course_taken_down.send(course_id=...)
    after a published course is taken down (in the transaction): its lessons close to
    everyone but those who edit it.
"""

from blinker import Namespace

courses_signals = Namespace()
enrolment_reopened_or_left = courses_signals.signal("enrolment-reopened-or-left")
course_taken_down = courses_signals.signal("course-taken-down")
