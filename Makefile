# Shortcuts; the README's commands (scripts/run.sh, scripts/test.sh, scripts/bench.sh) work without make.
.PHONY: run test lint format demo bench

run:
	./scripts/run.sh

test:
	./scripts/test.sh

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

format:
	.venv/bin/ruff format . && .venv/bin/ruff check --fix .

demo:
	.venv/bin/optout-cohorts demo --out data/demo

bench:
	./scripts/bench.sh
