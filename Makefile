# Every routine task is one command. See README.md.
SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)

EXT      ?= $(CURDIR)/target/debug/libspectrocoin.so
PHP      ?= php
PHPUNIT  ?= /usr/bin/phpunit
PHPX      = $(PHP) -d extension=$(EXT)
export SPECTROCOIN_EXT := $(EXT)

.PHONY: deps ext release test check test-rust lint test-php stubs stubs-check demo sandbox clean \
        phpunit-extension phpunit-simulator phpunit-standin phpunit-e2e phpunit-hardening phpunit-browser

deps:
	@bash .ci/install-deps

ext:
	cargo build

# For another PHP: make release PHP=/path/to/php PHP_CONFIG=/path/to/php-config (both reach the
# build through the environment); FEATURES=vendored-openssl links OpenSSL statically, as the
# prebuilt zips do (needs perl and make; signs RSA-SHA1 whatever the host's crypto policy).
FEATURES ?=
release:
	cargo build --release $(if $(FEATURES),--features $(FEATURES))

## The whole test suite (the README's test command; CI runs exactly this).
test: deps lint test-rust ext stubs-check test-php fuzz-smoke leak-check-ci dist dist-check test-install
	@echo "==> all tests passed"

# The everyday inner loop (minutes): lint, the Rust tests (fuzz corpora replayed), the stubs
# check and every PHPUnit suite; no fuzzing, no leak runs. `make test` is the full suite CI runs.
check: lint test-rust ext stubs-check test-php
	@echo "==> check passed"

lint:
	cargo fmt --check
	cargo clippy --all-targets -- -D warnings

test-rust:
	cargo test

# The PHP suites start their own MariaDB and servers in temp dirs and on free ports,
# so they run side by side.
test-php: ext
	@$(MAKE) --no-print-directory -j2 --output-sync=target phpunit-extension phpunit-simulator phpunit-standin phpunit-e2e phpunit-hardening phpunit-browser

phpunit-extension phpunit-simulator phpunit-standin phpunit-e2e phpunit-hardening phpunit-browser: phpunit-%:
	@echo "==> PHPUnit: $*"
	@$(PHPX) $(PHPUNIT) --testsuite $*

stubs: ext
	cargo php stubs --stdout > stubs/spectrocoin.stub.php

stubs-check: ext
	@cargo php stubs --stdout > target/spectrocoin.stub.php
	@diff -u stubs/spectrocoin.stub.php target/spectrocoin.stub.php \
	  || { echo "stubs/spectrocoin.stub.php drifted from the extension: run 'make stubs' and commit"; exit 1; }

## The product's main job: Pay Now → SpectroCoin checkout → callbacks → invoice Paid.
demo: deps ext
	$(PHP) tests/bin/demo.php

## MariaDB + WHMCS stand-in (127.0.0.1:8180) + SpectroCoin simulator (127.0.0.1:8181), until Ctrl-C.
sandbox: deps ext
	$(PHPX) tests/bin/sandbox.php

clean:
	cargo clean

## Benchmarks (issue 6; not part of `make test`): release build, table, bench/results/summary.json.
.PHONY: bench
bench: deps release
	@bash bench/install-deps.sh
	$(PHP) bench/run.php --ext=$(CURDIR)/target/release/libspectrocoin.so

## Hardening (see README, "Reliability and security").
.PHONY: fuzz-smoke leak-check leak-check-ci
# Every fuzz target (fuzz/) for FUZZ_SECONDS (60) each, two at a time; fails on crash, hang, OOM.
fuzz-smoke: deps
	@bash fuzz/smoke.sh

# Every PHP-facing function, success and error paths, LEAK_N (100000) times in one php
# process: Zend heap and RSS flat, and no LeakSanitizer leak through the extension.
LEAK_N ?= 100000
leak-check: deps ext
	@EXT=$(EXT) PHP=$(PHP) bash tests/leak/run.sh $(LEAK_N)

# The reduced form `make test` runs.
leak-check-ci: deps ext
	@EXT=$(EXT) PHP=$(PHP) bash tests/leak/run.sh 2000

## Prebuilt builds (see README, "Prebuilt builds"); part of `make test`, not of `make check`.
.PHONY: dist dist-check
# dist/: the PHP 8.2 and 8.4 extension zips (zig, glibc 2.28, static OpenSSL), the WHMCS module zip,
# SHA256SUMS. PHP 8.4 comes from a Debian 13 root cached in ~/.cache/spectrocoin-roots.
dist:
	@bash packaging/build-dist.sh

# Proves each zip in dist/ (PASS/FAIL per check): glibc floor, NEEDED, exports, loads, extension
# suite, signatures, TLS trust layouts, FPM recycling, API mismatch, Debian 11 ldd. Needs root.
dist-check: ext
	@bash packaging/check-dist.sh

## The installer (packaging/install.sh) against fake EA-PHP and Debian layouts (see README, "Install").
# Uses the release in dist/ (builds it first only if it is missing; after editing install.sh, run
# make dist again); the Debian 13 root comes from packaging/rootfs.sh (made once, cached).
.PHONY: test-install
test-install:
	@[ -f dist/SHA256SUMS ] || $(MAKE) --no-print-directory dist
	@bash tests/install/run.sh
