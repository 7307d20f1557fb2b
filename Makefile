# MinimalOS — build, boot and check the kernel, one rank at a time.
#
#   make run   [RANK=N] [BOOT=auto|limine|testboot] [CMDLINE='scenario=scroll']
#                                                      boot checkpoint N in QEMU
#   make check [RANK=N]                                check rank N's achievements
#   make test                                          everything: host tests, every rank, honesty
#   make gdb   [RANK=N]                                QEMU waits for GDB, symbols loaded
#   make bench [RANK=N]                                benchmarks in guest instructions (-icount)
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

.PHONY: help run check test bench gdb build kernels kernel testboot quest quests board lint clean \
        toolchain deps limine

help:
	@sed -n '1,9p' Makefile | sed 's/^# \{0,1\}//'

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
kernel: toolchain
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

build: kernels testboot quest

# --- using ------------------------------------------------------------------

run: deps limine kernel testboot quest
	@$(QUEST) run $(RANK) --boot $(BOOT) --cmdline "$(CMDLINE)"

gdb: deps limine kernel testboot quest
	@$(QUEST) run $(RANK) --boot $(BOOT) --gdb --cmdline "$(CMDLINE)"

check: deps limine kernels testboot quest
	@$(QUEST) check $(RANK) --boot $(BOOT)

# Benchmarks: scenarios that time themselves with the TSC, booted under
# `-icount shift=0`, where the TSC counts guest instructions: the same
# figure on every run and every machine (host time under TCG means little).
BENCH_SCENARIOS ?= irq-cost heap-bench
bench: deps limine kernel testboot quest
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
	$(QUEST) test --boot $(BOOT) --cargo-log $(BUILD)/host-tests.log $$cargo_flag

lint: toolchain
	$(CARGO) fmt --all --check
	$(CARGO) clippy -q -p kernel --target $(KERNEL_TARGET) -- -D warnings
	$(CARGO) clippy -q -p testboot --target x86_64-unknown-uefi -- -D warnings
	$(CARGO) clippy -q --all-targets -- -D warnings

clean:
	$(CARGO) clean
	rm -rf $(BUILD)
