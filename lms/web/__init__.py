"""Web helpers every domain uses: exports and downloads, JSON API errors, domain errors
and the actions that flash them, URL templates and page configuration for scripts.

It sits below every domain (it imports only the core), so any domain may use it.
"""
