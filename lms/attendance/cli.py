"""CLI commands and demo data of the attendance domain."""
