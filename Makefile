# MinimalOS — build, boot and check the kernel, one rank at a time.
#
#   make run   [RANK=N] [BOOT=auto|limine|testboot] [CMDLINE='scenario=scroll']
#                                                      boot checkpoint N in QEMU
#   make check [RANK=N]                                check rank N's achievements
#   make test                                          everything: host tests, every rank, honesty
#   make gdb   [RANK=N]                                QEMU waits for GDB, symbols loaded
#   make bench [RANK=N]                                benchmarks in guest instructions (-icount)
#   make site  [SITE_MODE=local|published]             the Jekyll site in build/site (site-serve)
#   make build | quests | board | lint | clean
#
# First use installs what is missing: the pinned Rust toolchain (rustup),
# QEMU and OVMF (apt-get as root; otherwise the exact command is printed),
# and Limine's binary release (cloned into build/limine; LIMINE_DIR=... to
# use your own copy). Without network, boots fall back to tools/testboot.

SHELL := /bin/bash
.DEFAULT_GOAL := help

HIGHEST  := $(shell sed -n 's/^pub const HIGHEST: u8 = \([0-9]*\);/\1/p' kernel/src/rank.rs)
RANK     ?= $(HIGHEST)
BOOT     ?= auto
CMDLINE  ?=
BUILD    := build
LIMINE_DIR ?= $(BUILD)/limine
LIMINE_TAG := v8.2.0-binary
LIMINE_URL := https://github.com/limine-bootloader/limine.git
export LIMINE_DIR

CARGO    := cargo
KERNEL_TARGET := x86_64-unknown-none
QUEST    := target/debug/quest
RANKS    := $(shell seq 1 $(HIGHEST))

.PHONY: help run check test bench user vault vault-test site site-serve site-test site-deps site-test-deps gdb build kernels kernel testboot quest quests board lint clean \
        toolchain deps limine

help:
	@sed -n '1,/^$$/p' Makefile | sed 's/^# \{0,1\}//'

# --- prerequisites ----------------------------------------------------------

# `rustup toolchain install` with no argument reads rust-toolchain.toml.
toolchain: $(BUILD)/.toolchain
$(BUILD)/.toolchain: rust-toolchain.toml
	@command -v rustup >/dev/null || { echo "rustup is required: see https://rustup.rs (then run make again)"; exit 1; }
	@mkdir -p $(BUILD)
	@rustup toolchain install >/dev/null 2>&1 || rustup toolchain install
	@touch $@

# QEMU and OVMF: installed with apt-get when we are root, else explained.
deps:
	@missing=""; \
	command -v qemu-system-x86_64 >/dev/null || missing="$$missing qemu-system-x86"; \
	command -v objdump >/dev/null || missing="$$missing binutils"; \
	ovmf=$$OVMF_CODE; for f in /usr/share/OVMF/OVMF_CODE*.fd /usr/share/edk2/ovmf/OVMF_CODE.fd \
	  /usr/share/edk2/x64/OVMF_CODE*.fd /usr/share/qemu/edk2-x86_64-code.fd; do [ -f "$$f" ] && ovmf=$$f; done; \
	[ -n "$$ovmf" ] || missing="$$missing ovmf"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing$$missing with apt-get..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || exit 1; \
	  elif command -v apt-get >/dev/null; then \
	    echo "Missing:$$missing. Install with:  sudo apt-get install -y$$missing"; exit 1; \
	  elif command -v dnf >/dev/null; then \
	    echo "Missing:$$missing. Install with:  sudo dnf install -y qemu-system-x86 edk2-ovmf binutils"; exit 1; \
	  elif command -v pacman >/dev/null; then \
	    echo "Missing:$$missing. Install with:  sudo pacman -S qemu-system-x86 edk2-ovmf binutils"; exit 1; \
	  else \
	    echo "Missing:$$missing. Install QEMU (x86_64 system emulator), OVMF and binutils with your package manager."; exit 1; \
	  fi; \
	fi

# Limine's prebuilt release, cloned once. Failure is not an error: boots
# then use testboot (the quest tool says so). A failed attempt is not
# retried for an hour, so offline machines do not wait on every command.
limine:
	@if [ "$(BOOT)" != testboot ] && [ ! -f "$(LIMINE_DIR)/BOOTX64.EFI" ] && [ "$(LIMINE_DIR)" = "$(BUILD)/limine" ]; then \
	  mkdir -p $(BUILD); \
	  if [ -z "$$(find $(BUILD)/.limine-unreachable -mmin -60 2>/dev/null)" ]; then \
	    echo "Fetching Limine $(LIMINE_TAG) into $(LIMINE_DIR)..."; \
	    rm -rf "$(LIMINE_DIR)"; \
	    if GIT_TERMINAL_PROMPT=0 timeout 120 git clone -q --depth=1 --branch=$(LIMINE_TAG) $(LIMINE_URL) "$(LIMINE_DIR)" 2>/dev/null; then \
	      rm -f $(BUILD)/.limine-unreachable; \
	    else \
	      rm -rf "$(LIMINE_DIR)"; touch $(BUILD)/.limine-unreachable; \
	      echo "Limine could not be fetched (no network?): using the hermetic test loader instead."; \
	    fi; \
	  fi; \
	fi

# --- building ---------------------------------------------------------------

# One kernel per checkpoint: MINIMALOS_RANK becomes `rank::REACHED`. The
# static relocation model applies to the kernel crate only (`cargo rustc`),
# giving a fixed-address ET_EXEC that Limine loads at its link address.
# User programs (Rank VI on): each binary of user/programs, linked at
# 0x400000 by user/link.ld, into build/user/NAME.elf, which the kernel embeds.
USER_PROGRAMS := first answer crash privileged pointers spin nullcall hostile init ls cat segments fsprobe sh hello true child family pingpong churn
user: toolchain
	@mkdir -p $(BUILD)/user
	@for p in $(USER_PROGRAMS); do \
	  $(CARGO) rustc -q -p programs --bin $$p --target $(KERNEL_TARGET) --release \
	    -- -C relocation-model=static -C strip=debuginfo || exit 1; \
	  cp target/$(KERNEL_TARGET)/release/$$p $(BUILD)/user/$$p.elf || exit 1; \
	done

# The vault (Rank VII): every user program under bin/, broken copies of
# one under bad/ (`elf-forge`, for the loader to refuse), and the files of
# vault/, packed as a USTAR archive that is the same bytes on every build
# and machine: names sorted, mtime 0, owner and group 0, modes normalised.
# Three damaged variants for the checks: a header whose name lost its
# checksum, a size field with a non-octal digit, and a vault without init.
VAULT := $(BUILD)/vault.tar
VAULT_VARIANTS := $(BUILD)/vault-bad-checksum.tar $(BUILD)/vault-bad-size.tar $(BUILD)/vault-no-init.tar
TAR_REPRODUCIBLE := --format=ustar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --mode=a=rX,u+w
FORGE_FROM := answer
# $(call tar_block,ARCHIVE,PATH): the 512-byte block number of PATH's header.
tar_block = $$(tar -tvR -f $(1) | awk '$$NF == "$(2)" { sub(":", "", $$2); print $$2 }')
vault: user
	@$(CARGO) build -q -p elfplan --bin elf-forge
	@rm -rf $(BUILD)/vault-root && mkdir -p $(BUILD)/vault-root/bin
	@cp -r vault/. $(BUILD)/vault-root/
	@for p in $(USER_PROGRAMS); do cp $(BUILD)/user/$$p.elf $(BUILD)/vault-root/bin/$$p || exit 1; done
	@target/debug/elf-forge $(BUILD)/user/$(FORGE_FROM).elf $(BUILD)/vault-root/bad
	@cd $(BUILD)/vault-root && tar $(TAR_REPRODUCIBLE) -cf ../vault.tar.tmp $$(ls -A | LC_ALL=C sort)
	@mv $(VAULT).tmp $(VAULT)
	@cd $(BUILD)/vault-root && tar $(TAR_REPRODUCIBLE) --exclude=bin/init -cf ../vault-no-init.tar $$(ls -A | LC_ALL=C sort)
	@cp $(VAULT) $(BUILD)/vault-bad-checksum.tar && block=$(call tar_block,$(VAULT),hello.txt) && \
	  printf 'j' | dd of=$(BUILD)/vault-bad-checksum.tar bs=1 seek=$$((block * 512)) conv=notrunc status=none
	@cp $(VAULT) $(BUILD)/vault-bad-size.tar && block=$(call tar_block,$(VAULT),docs/long.txt) && \
	  printf '9' | dd of=$(BUILD)/vault-bad-size.tar bs=1 seek=$$((block * 512 + 124 + 8)) conv=notrunc status=none

# Building the vault twice gives the same bytes.
vault-test: vault
	@for f in $(VAULT) $(VAULT_VARIANTS); do cp $$f $$f.first; done && touch vault/hello.txt && \
	$(MAKE) --no-print-directory vault && status=0 && \
	for f in $(VAULT) $(VAULT_VARIANTS); do cmp -s $$f $$f.first || { echo "FAIL  $$f differs between two builds"; status=1; }; done; \
	[ $$status = 0 ] && echo "ok    vault.tar and its $(words $(VAULT_VARIANTS)) variants are reproducible ($$(stat -c %s $(VAULT)) bytes, $$(tar -tf $(VAULT) | wc -l) entries)"; \
	exit $$status

kernel: toolchain user
	@mkdir -p $(BUILD)/kernel/rank-$(RANK)
	MINIMALOS_RANK=$(RANK) $(CARGO) rustc -q -p kernel --bin kernel --target $(KERNEL_TARGET) \
	  -- -C relocation-model=static
	@cp target/$(KERNEL_TARGET)/debug/kernel $(BUILD)/kernel/rank-$(RANK)/kernel.elf

kernels: toolchain
	@for n in $(RANKS); do $(MAKE) --no-print-directory kernel RANK=$$n || exit 1; done

testboot: toolchain
	$(CARGO) build -q -p testboot --target x86_64-unknown-uefi --release
	@mkdir -p $(BUILD)/testboot
	@cp target/x86_64-unknown-uefi/release/testboot.efi $(BUILD)/testboot/BOOTX64.EFI

quest: toolchain
	$(CARGO) build -q -p quest

build: kernels vault testboot quest

# --- using ------------------------------------------------------------------

run: deps limine kernel vault testboot quest
	@$(QUEST) run $(RANK) --boot $(BOOT) --cmdline "$(CMDLINE)"

gdb: deps limine kernel vault testboot quest
	@$(QUEST) run $(RANK) --boot $(BOOT) --gdb --cmdline "$(CMDLINE)"

check: deps limine kernels vault testboot quest
	@$(QUEST) check $(RANK) --boot $(BOOT)

# Benchmarks: scenarios that time themselves with the TSC, booted under
# `-icount shift=0`, where the TSC counts guest instructions: the same
# figure on every run and every machine (host time under TCG means little).
BENCH_SCENARIOS ?= irq-cost heap-bench frames-bench syscall-bench vault-bench sched-bench boot-bench
bench: deps limine kernel vault testboot quest
	@mkdir -p $(BUILD); : > $(BUILD)/bench.txt
	@for s in $(BENCH_SCENARIOS); do \
	  echo "== $$s: checkpoint $(RANK), -icount shift=0 (about a minute per scenario)"; \
	  QEMU_EXTRA="-icount shift=0 $(QEMU_EXTRA)" $(QUEST) run $(RANK) --headless --boot $(BOOT) \
	    --cmdline "qemu-exit scenario=$$s" | grep -aE '^(bench|irq-cost|scenario):' | tee -a $(BUILD)/bench.txt; \
	done
	@echo "(saved in $(BUILD)/bench.txt)"

board: quest
	@$(QUEST) board

quests: quest
	@$(QUEST) gen-quests

# Host unit tests, then the whole referee. The last line counts both.
test: deps limine build
	@mkdir -p $(BUILD)
	@set -o pipefail; if $(CARGO) test 2>&1 | tee $(BUILD)/host-tests.log | grep -E '^(test result|error|warning: unused)|FAILED|panicked'; \
	  then cargo_flag=; else cargo_flag=--cargo-failed; fi; \
	status=0; $(QUEST) test --boot $(BOOT) --cargo-log $(BUILD)/host-tests.log $$cargo_flag || status=$$?; \
	$(MAKE) --no-print-directory vault-test || status=1; \
	$(MAKE) --no-print-directory site-test || status=1; exit $$status

# --- the site -----------------------------------------------------------------
# `make site` assembles site/ with every rank's manifest, chapters and
# screenshot (`quest site`) and builds it with plain Jekyll into build/site.
# SITE_MODE=local (default) marks achievements by your last `make check`;
# SITE_MODE=published is what GitHub Pages shows: every rank, no progress.
SITE_MODE ?= local
# $(call need_packages,command:package ...): installs the missing packages
# with apt-get when we are root, else prints the command to run.
define need_packages
missing=""; for pair in $(1); do command -v $${pair%%:*} >/dev/null || missing="$$missing $${pair#*:}"; done; \
if [ -n "$$missing" ]; then \
  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
    echo "Installing$$missing with apt-get..."; \
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || exit 1; \
  else echo "Missing:$$missing. Install with:  sudo apt-get install -y$$missing"; exit 1; fi; \
fi
endef
SITE_SRC := $(BUILD)/site-src
SITE_OUT := $(BUILD)/site
CHROMIUM ?= $(firstword $(shell command -v chromium-headless-shell chromium chromium-browser 2>/dev/null))

# Jekyll for `make site`; html-proofer and a headless Chromium for its tests.
site-deps:
	@$(call need_packages,jekyll:jekyll)

site-test-deps:
	@$(call need_packages,jekyll:jekyll htmlproofer:ruby-html-proofer chromium-headless-shell:chromium-headless-shell)

site: quest site-deps
	@$(QUEST) site --out $(SITE_SRC) $(if $(filter published,$(SITE_MODE)),--published)
	@jekyll build --quiet -s $(SITE_SRC) -d $(SITE_OUT)
	@echo "site: open $(SITE_OUT)/index.html in a browser (or: make site-serve)"

site-serve: site
	@jekyll serve --skip-initial-build --no-watch -s $(SITE_SRC) -d $(SITE_OUT)

# The site's tests: it builds in both modes, every internal link and image
# resolves (html-proofer), and Chromium renders the home page and a rank
# page to PNG with the rank ladder and the achievements table on them.
SITE_SHOTS := $(BUILD)/site-shots
site-test: quest site-test-deps
	@set -e; rm -rf $(SITE_SHOTS); mkdir -p $(SITE_SHOTS); \
	$(QUEST) site --out $(SITE_SRC)-published --published >/dev/null; \
	jekyll build --quiet -s $(SITE_SRC)-published -d $(SITE_OUT)-published; \
	htmlproofer $(SITE_OUT)-published --disable-external >$(SITE_SHOTS)/proofer-published.txt 2>&1 \
	  || { cat $(SITE_SHOTS)/proofer-published.txt; echo "FAIL  site: broken links (published)"; exit 1; }; \
	echo "ok    site builds (published) and html-proofer finds no broken link or image"; \
	$(MAKE) --no-print-directory site SITE_MODE=local >/dev/null; \
	htmlproofer $(SITE_OUT) --disable-external >$(SITE_SHOTS)/proofer-local.txt 2>&1 \
	  || { cat $(SITE_SHOTS)/proofer-local.txt; echo "FAIL  site: broken links (local)"; exit 1; }; \
	echo "ok    site builds (local progress) and html-proofer finds no broken link or image"; \
	rank=$$(ls -d ranks/[0-9][0-9]-* | tail -n +$(RANK) | head -1 | xargs basename); \
	for page in index.html ranks/$$rank/index.html; do \
	  name=$$(echo $$page | tr / -); \
	  $(CHROMIUM) --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1200,1600 \
	    --screenshot=$(CURDIR)/$(SITE_SHOTS)/$${name%.html}.png file://$(CURDIR)/$(SITE_OUT)/$$page >/dev/null 2>&1; \
	  $(CHROMIUM) --headless --no-sandbox --disable-gpu --dump-dom file://$(CURDIR)/$(SITE_OUT)/$$page \
	    > $(SITE_SHOTS)/$${name%.html}.dom.html 2>/dev/null; \
	done; \
	$(QUEST) site-check --dom $(SITE_SHOTS)/index.dom.html --png $(SITE_SHOTS)/index.png --id rank-ladder --ladder; \
	$(QUEST) site-check --dom $(SITE_SHOTS)/ranks-$$rank-index.dom.html --png $(SITE_SHOTS)/ranks-$$rank-index.png \
	  --id achievements --text "$$(sed -n 's/^name = "\(.*\)"/\1/p' ranks/$$rank/rank.toml)"

lint: toolchain user
	$(CARGO) fmt --all --check
	$(CARGO) clippy -q -p kernel --target $(KERNEL_TARGET) -- -D warnings
	$(CARGO) clippy -q -p testboot --target x86_64-unknown-uefi -- -D warnings
	$(CARGO) clippy -q -p programs -p runtime --target $(KERNEL_TARGET) -- -D warnings
	$(CARGO) clippy -q --all-targets -- -D warnings

clean:
	$(CARGO) clean
	rm -rf $(BUILD)
