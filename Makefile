# Roundtable: `make run` and `make test` are the whole set-up on a fresh machine.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8080
VENDOR := web/static/vendor

.PHONY: run test lint install deps vendor chromium i18n bench-chat bench-media clean

$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(VENDOR)/.installed: node_modules/.installed
	mkdir -p $(VENDOR)
	cp node_modules/socket.io-client/dist/socket.io.esm.min.js $(VENDOR)/socket.io.esm.min.js
	cp node_modules/hls.js/dist/hls.min.js $(VENDOR)/hls.min.js
	cp node_modules/hls.js/dist/hls.mjs $(VENDOR)/hls.mjs  # bench/media only; pages load hls.min.js
	cp node_modules/axe-core/axe.min.js $(VENDOR)/axe.min.js
	cp node_modules/jsqr/dist/jsQR.js $(VENDOR)/jsQR.js  # check-in's QR reader where BarcodeDetector is missing
	touch $@

deps: $(VENV)/.installed
vendor: $(VENDOR)/.installed
install: deps vendor

run: install
	$(PY) -m live db upgrade
	$(PY) -m live demo
	@echo
	@echo "Roundtable demo accounts (password for all: roundtable):"
	@echo "  admin                      admin of every community"
	@echo "  host-hexie / mod-hexie     host / moderator of 和谐社区 (likewise host-xingfu, mod-anning, ...)"
	@echo "  jumin-hexie-1              a resident of 和谐社区 with a verified household (jumin-<community>-<n>)"
	@echo "  party-hexie                the property company's desk (responsible party) of 和谐社区"
	@echo "Open http://127.0.0.1:$(PORT)/"
	@echo
	PORT=$(PORT) $(PY) -m live serve --host 127.0.0.1 --port $(PORT)

# Debian's Chromium (and CJK fonts) for the browser tests; Playwright's own download cannot work here.
chromium:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi 'Noto Sans CJK'; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	  else echo "chromium missing and not root: browser tests will be skipped"; fi; \
	fi

lint: deps
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

test: install chromium lint
	$(PY) -m pytest -q -p no:cacheprovider

# docs/performance.md, "Media" -> "Reproduce": the encode-once hub against the naive relay, then
# glass-to-glass latency in Chromium; results in bench/media/results.json. Not part of `make test`.
bench-media: install chromium
	nice -n 10 $(PY) bench/media/run.py --hub 1,10,25,50 --naive 1,5,10 --seconds 12
	nice -n 10 $(PY) bench/media/browser_latency.py --seconds 15

i18n: deps
	$(PY) -m babel.messages.frontend extract -F babel.cfg -o web/translations/messages.pot . \
	  -k _ -k gettext -k ngettext:1,2 --no-location --omit-header
	$(PY) -m babel.messages.frontend update -i web/translations/messages.pot -d web/translations \
	  -D messages --no-location --ignore-obsolete

clean:
	rm -rf $(VENV) node_modules $(VENDOR)
