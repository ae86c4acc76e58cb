"""The columns of each table a synthetic learner's rows fill, in the order of the row
tuples; the dict's order is the order the tables are written (parents before children)."""

from lms.synthetic.bulk import names

COLUMNS = {
    "enrolments": names("id course_id learner_id enrolled_at left_at"),
    "lesson_progress": names(
        "id learner_id lesson_id played_segments covered_seconds progress credited_seconds "
        "resume_position started_at updated_at completed_at"
    ),
    "course_completions": names("id learner_id course_id completed_at"),
    "certificates": names(
        "id code learner_id course_id learner_name course_title online_hours offline_hours "
        "issued_at"
    ),
    "recognitions": names(
        "id learner_id title issuer learned_on hours evidence_key evidence_type evidence_name "
        "state credits reason submitted_at decided_at decided_by_id"
    ),
    "ledger_texts": names("id learner_id text salt"),
    "ledger_entries": names(
        "id learner_id seq source_type source_id revision is_reversal hours_milli credits_milli "
        "rule_version text_id reason_digest created_at local_day actor_id prev_hash entry_hash"
    ),
    "ledger_heads": ["learner_id", "last_seq", "last_hash"],
    "daily_study": names("id learner_id day credited_seconds"),
    "play_sessions": names(
        "id learner_id lesson_id opened_at last_beat_at last_seq credited_seconds position"
    ),
    "heartbeats": names(
        "id play_session_id seq received_at position segments rate visible credited_seconds"
    ),
}
