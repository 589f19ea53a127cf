# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install bench lint clean kafka-jars mutation

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/lorekeeper serve

test: $(STAMP) kafka-jars lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Mutation testing of domain/ (minutes; not part of `make test`): docs/testing.md.
mutation: $(STAMP)
	$(BIN)/python -m tests.mutation

bench: $(STAMP)
	$(BIN)/python -m bench.run_all

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis mutants

# Style, the dependency rule between layers and contexts, and types (strict on domain/).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo
	$(BIN)/mypy

# The Kafka broker's jars, from Maven Central (cached in infra/kafka/target and ~/.m2).
kafka-jars:
	@ls infra/kafka/target/lib/kafka_2.13-*.jar >/dev/null 2>&1 || mvn -q -B -f infra/kafka/pom.xml dependency:copy-dependencies
