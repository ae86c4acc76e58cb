# The two commands a newcomer needs (see README.md).
.PHONY: run test lint

run:
	./scripts/setup.sh run
	./scripts/run.sh

test:
	./scripts/setup.sh test
	.venv/bin/pytest $(PYTEST_ARGS)

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
