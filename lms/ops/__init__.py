"""Operations: logging, `flask lms doctor`, readiness probes, backup and restore.

Nothing here holds a rule of the platform; it watches, checks and copies what the
domains keep.
"""
