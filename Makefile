# The two commands a newcomer needs (see README.md), and a quicker test run.
.PHONY: run test test-quick lint

# Test processes (pytest-xdist). Much of the suite waits on ffmpeg, browsers and servers,
# so a 2-core machine keeps more processes than cores busy; idle processes steal queued
# tests (worksteal), so the long browser and scale tests do not leave the end to one.
# Measured on 2 cores, both databases: -n 3 616 s, -n 4 worksteal 568 s.
TEST_WORKERS ?= 4
XDIST = -n $(TEST_WORKERS) --dist worksteal

run:
	./scripts/setup.sh run
	./scripts/run.sh

test:
	./scripts/setup.sh test
	.venv/bin/pytest $(XDIST) $(PYTEST_ARGS)

# Everything but the tests marked slow (browsers, transcodes, real processes).
test-quick:
	./scripts/setup.sh test
	.venv/bin/pytest $(XDIST) -m "not slow" $(PYTEST_ARGS)

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
