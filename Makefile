# ChainCRM — the two commands are `make run` and `make test`.
PY       ?= python3
VENV     ?= .venv
BIN      := $(VENV)/bin
FLASK    := $(BIN)/flask --app crm
HOST     ?= 127.0.0.1
PORT     ?= 5000
VENDOR   := crm/static/vendor

.PHONY: run serve setup venv assets translations extract db demo test test-fast lint bench evaluate dist worker clean

run: setup db demo serve  ## set everything up and serve the demo on http://127.0.0.1:5000

setup: venv assets translations

venv: $(BIN)/.installed
$(BIN)/.installed: setup.cfg pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

assets: $(VENDOR)/.copied
$(VENDOR)/.copied: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map $(VENDOR)/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map $(VENDOR)/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/
	touch $@

translations: venv
	$(BIN)/pybabel compile -f -d crm/translations -D messages

extract: venv  ## refresh the message catalogs from the code and templates
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs='.* node_modules __pycache__' -o crm/translations/messages.pot .
	$(BIN)/pybabel update -i crm/translations/messages.pot -d crm/translations -D messages --no-fuzzy-matching

db: venv
	mkdir -p instance
	$(FLASK) db upgrade
	$(FLASK) refdata load

demo: venv
	$(FLASK) demo load

serve:  ## the web server and the background-job worker
	FLASK="$(FLASK)" HOST=$(HOST) PORT=$(PORT) bash scripts/serve.sh

worker:  ## only the background-job worker (production: run it beside gunicorn)
	$(FLASK) jobs worker

bench: setup  ## benchmarks beside their floors; writes docs/BENCHMARKS*.md (BENCH_ARGS=--quick or --postgres)
	$(BIN)/python -m tests.benchmarks.run $(BENCH_ARGS)
	$(BIN)/python -m tests.benchmarks.lead_bench $(BENCH_ARGS)
	$(BIN)/python -m tests.benchmarks.ledger_bench $(BENCH_ARGS)
	$(BIN)/python -m tests.benchmarks.chains_bench --output docs/BENCHMARKS-chains.md
	$(BIN)/python -m tests.benchmarks.dashboard_bench $(BENCH_ARGS)

evaluate: setup  ## the chain engine's evaluation on the atlas chains; writes docs/EVALUATION.md, fails on a miss
	$(BIN)/python -m chains.evaluate --check --output docs/EVALUATION.md

test: setup  ## the whole suite on SQLite and PostgreSQL (starts a throwaway cluster when DATABASE_URL is unset)
	$(BIN)/flake8
	$(BIN)/bandit -q -r crm chains config.py -c bandit.yaml
	$(BIN)/python -m pytest --durations=20 $(PYTEST_ARGS)

test-fast: setup
	$(BIN)/python -m pytest -m "not browser" -x $(PYTEST_ARGS)

lint: venv
	$(BIN)/flake8
	$(BIN)/bandit -q -r crm chains config.py -c bandit.yaml

dist: setup  ## sdist and wheel with the built assets and compiled catalogs inside
	rm -rf dist build
	$(BIN)/pip install --quiet build
	$(BIN)/python -m build --no-isolation --outdir dist .

clean:
	rm -rf build dist *.egg-info .pytest_cache test-artifacts
