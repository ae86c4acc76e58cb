"""A synthetic district for load tests and benchmarks (``flask lms seed-synthetic``).

It writes rows for every domain in bulk, so it sits above all of them: it may import any
domain, and no domain imports it.
"""
