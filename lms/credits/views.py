"""Credits blueprint. Every URL rule of the domain:

  /record/                          my learning record (学习档案): totals, entries, by year
  /record/courses/<id>              a course's online and offline parts, and what is missing
  /credit-rules/                    the admin's credit rules (versioned)
  /ledger/<learner_id>              the admin's view of a learner's ledger, adjustments
  certificates, /verify/<code>, exports, credentials   (certificate_views.py)
  recognitions                                          (recognition_views.py)
"""

from flask import Blueprint

bp = Blueprint("credits", __name__)
