"""What assessment announces; credits listens (assessment imports none of it).

Both are sent synchronously inside the transaction that writes what they announce,
with keyword arguments only, so a rollback takes the receivers' writes with it:

exam_passed.send(learner_id=..., exam_id=..., course_id=..., percent=...)
    once per learner and exam (an ``ExamPass`` row is written with it), the first time
    an attempt's final result passes: at submission when nothing waits for a teacher,
    when the last short answer is graded, or when an offline exam's imported score
    passes. ``percent`` is that attempt's percent (0-100).

checkpoints_answered.send(learner_id=..., lesson_id=..., share=...)
    each time a learner answers a checkpoint of a lesson for the first time; ``share``
    is the share (0.0-1.0) of the lesson's checkpoints the learner has answered so far.
"""

from blinker import Namespace

assessment_signals = Namespace()

exam_passed = assessment_signals.signal("exam-passed")
checkpoints_answered = assessment_signals.signal("checkpoints-answered")
