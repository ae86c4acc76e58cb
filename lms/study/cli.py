"""CLI commands and demo data of the study domain."""
