"""What attendance announces; credits listens (attendance imports none of it).

Both are sent synchronously inside the transaction that writes the attendance, with
keyword arguments only, so a rollback takes the receivers' writes with it:

attendance_recorded.send(learner_id=..., class_session_id=..., hours=...)
    at most once per learner and session, the first time the learner's hours become
    final: at check-in when the session takes no check-out (hours = the scheduled
    duration), at check-out (hours from check-in to check-out inside the scheduled
    time), or when the session is closed after its end for a learner who checked in but
    never out (hours = 0.0). Learners marked absent at the close are not announced.

attendance_corrected.send(learner_id=..., class_session_id=..., hours=...)
    each time staff set a learner's status by hand, and when hours change after they
    were final (a check-out synced from an offline scanner after the close, a check-in
    after a hand-marked absence); ``hours`` is the learner's new total for the session
    (0.0 when excused or absent), replacing what was announced before, if anything.
"""

from blinker import Namespace

attendance_signals = Namespace()

attendance_recorded = attendance_signals.signal("attendance-recorded")
attendance_corrected = attendance_signals.signal("attendance-corrected")
