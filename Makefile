# The two commands a newcomer needs (see README.md), and a quicker test run.
.PHONY: run test test-quick lint

# Test processes (pytest-xdist). Much of the suite waits on ffmpeg, browsers and servers,
# so a 2-core machine keeps more processes than cores busy.
TEST_WORKERS ?= 3

run:
	./scripts/setup.sh run
	./scripts/run.sh

test:
	./scripts/setup.sh test
	.venv/bin/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# Everything but the tests marked slow (browsers, transcodes, real processes).
test-quick:
	./scripts/setup.sh test
	.venv/bin/pytest -n $(TEST_WORKERS) -m "not slow" $(PYTEST_ARGS)

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
