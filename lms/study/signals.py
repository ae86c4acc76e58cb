"""What study announces; credits listens. Study imports nothing of credits or attendance."""

from blinker import Namespace

study_signals = Namespace()

# Sent once per learner and lesson, inside the transaction that records completion:
# lesson_completed.send(learner_id=..., lesson_id=...)
lesson_completed = study_signals.signal("lesson-completed")
