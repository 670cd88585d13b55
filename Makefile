# SPDX-License-Identifier: GPL-2.0
#
# madvstat: per-process accounting of lazily freed (MADV_FREE) memory.
# `make help` lists the targets.

KDIR ?= /lib/modules/$(shell uname -r)/build
CACHE ?= $(or $(MADVSTAT_CACHE),$(CURDIR)/.cache)
BUILD := $(CURDIR)/build

# The release of the kernel KDIR belongs to, as `uname -r` prints it there.
KREL = $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' \
	$(KDIR)/include/generated/utsrelease.h 2>/dev/null)
# The selftests are user space: one set of kselftest headers (6.12's,
# extracted by `make kernels`) serves the guests of every kernel.
KSFT_DIR ?= $(CACHE)/ksft
KOUT = $(BUILD)/$(KREL)
# What every guest runs, whatever its kernel: static selftests and programs.
GUEST_BIN := $(BUILD)/guest/bin
# A KDIR inside one of qemu/kernels' chroots is built in that chroot, with
# the compiler its kernel was built with, and named by its path there:
# kbuild 7.x rewrites the Makefile of a headers tree reached by another
# path (objtree != the directory make -C was given). A kernel tree
# qemu/debug-kernel built names, in madvstat-kenv, the kernel whose
# environment built it (it is at the same path there).
KENV_FILE = $(wildcard $(KDIR)/madvstat-kenv)
KBUILD_ENV = $(if $(filter $(CACHE)/chroots/%,$(KDIR)),./qemu/kernels run $(KDIR),$(if \
	$(KENV_FILE),./qemu/kernels run $(shell cat $(KENV_FILE))))
KBUILD_DIR = $(if $(filter $(CACHE)/chroots/%,$(KDIR)),/usr/src/$(notdir $(KDIR)),$(KDIR))

# The one place the version lives; the module, the CLI and DKMS read it.
VERSION := $(shell cat VERSION)

CC ?= cc
USER_CFLAGS := -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror \
	-Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes \
	-DMADVSTAT_VERSION='"$(VERSION)"'
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all

PREFIX ?= /usr/local
DKMS_SRCTREE ?= /usr/src

MODULE_SRC := Kbuild VERSION $(wildcard module/*.c module/*.h)

.PHONY: all module user user-test selftests selftests-arm64 guest guest-prom harness kernels check check-arm64 soak check-exact demo \
	fuzz check-debug bench install install-module install-user uninstall \
	dkms-source dkms-install \
	dkms-remove lint clean distclean help check-kdir

all: module user

help:
	@echo 'madvstat make targets'
	@echo
	@echo '  all (default)  module for KDIR, then the user-space programs'
	@echo '  help           this list'
	@echo '  module         madvstat.ko for KDIR into build/<release>/'
	@echo '                 (KDIR=$(KDIR))'
	@echo '  user           user-space programs for this host into build/user/:'
	@echo '                 madvstat (with its exporter: needs libmicrohttpd-dev),'
	@echo '                 madvfree-repro, timeline-svg'
	@echo '  user-test      host unit tests of the user-space code, under ASan'
	@echo '                 and UBSan, and cppcheck over it; the exporter end to'
	@echo '                 end (curl, promtool, Prometheus, node_exporter); the'
	@echo '                 Prometheus rules (promtool check/test rules); the'
	@echo '                 systemd unit (systemd-analyze) and the Kubernetes'
	@echo '                 manifest; the documentation'
	@echo '  selftests      static selftests, programs and madvstat-bench for the'
	@echo '                 guests, the same for every kernel, into build/guest/bin/'
	@echo '                 (needs the kselftest headers: make kernels)'
	@echo '  guest          module for KDIR + selftests: what the VM needs'
	@echo '  selftests-arm64 the same static programs for arm64 guests'
	@echo '                 (qemu/vm --arch arm64), into build/guest-arm64/bin/'
	@echo '  guest-prom     the exporter (with libmicrohttpd), prometheus, promtool,'
	@echo '                 node_exporter, curl and their libraries into'
	@echo '                 build/guest/prom/,'
	@echo '                 with the guest test of the exporter (part of check)'
	@echo '  harness        warn_mod.ko for KDIR, which WARN()s on load: the'
	@echo '                 harness test proves such a splat fails a run'
	@echo '  kernels        fetch the test kernels (5.10, 6.1, 6.12, 7.2, 7.2-rt:'
	@echo '                 ./qemu/kernels list) into .cache/, with their headers:'
	@echo '                 on the host, or in debootstrap chroots of their Debian'
	@echo '                 release under .cache/chroots/ (needs root)'
	@echo '  check          the whole test suite: dependencies, builds and lint for'
	@echo '                 every test kernel, host tests, install and harness'
	@echo '                 tests, selftests in QEMU for each kernel x {MGLRU off,'
	@echo '                 on} where it has MGLRU, then the exactness checker in'
	@echo '                 the same guest, in 512 MiB guests, and a short'
	@echo '                 soak (200 reloads under load, 10,000 processes) on 7.2'
	@echo '                 and 7.2-rt; the selftests and the checker once more'
	@echo '                 in a debug 6.12 kernel (DEBUG_KERNEL=7.2 or none: =),'
	@echo '                 then kmemleak; the exporter scraped by a real'
	@echo '                 Prometheus in a 6.12 guest; for arm64 6.12, 7.2, 7.2-rt,'
	@echo '                 lint and a smoke test (snapshot_test, one seed of the'
	@echo '                 exactness checker)'
	@echo '  check-arm64    the arm64 kernels (6.12, 7.2, 7.2-rt): builds and lint,'
	@echo '                 the whole selftest suite and the exactness checker'
	@echo '                 with MGLRU off and on, the 512 MiB guests (not part'
	@echo '                 of check, which runs only the smoke test)'
	@echo '  soak           the long soak: 1,000 reloads under load and 10,000'
	@echo '                 processes, on every test kernel (not part of check)'
	@echo '  check-exact    the exactness checker alone with fresh random seeds,'
	@echo '                 SECONDS (default 3600) in each kernel configuration;'
	@echo '                 operations/s, seeds tried, mismatches (not part of check)'
	@echo '  demo           the scenario, narrated, in a 6.12 VM; CSV timelines and'
	@echo '                 SVG charts into build/demo/'
	@echo '  fuzz           the user-space parsers under libFuzzer + ASan/UBSan'
	@echo '                 for FUZZ_SECONDS (default 30); part of check'
	@echo '  bench          benchmarks in 6.1 and 6.12 guests (BENCH_KERNELS=...,'
	@echo '                 arm64/6.12 for an arm64 one):'
	@echo '                 read cost against smaps_rollup and pagemap, scaling,'
	@echo '                 module memory;'
	@echo '                 cost curve, tracking overhead and lock impact'
	@echo '                 counted in instructions (QEMU icount); table in'
	@echo '                 build/bench/'
	@echo '  check-debug    the selftests and the exactness checker in debug 6.12'
	@echo '                 and 7.2 kernels (lockdep, KASAN, DEBUG_VM, kmemleak,'
	@echo '                 hung tasks), built once into .cache/debug/ with what'
	@echo '                 they need; DEBUG_KERNELS=7.2 picks a kernel,'
	@echo '                 DEBUG_GUESTS="mglru-off mglru-on" guests (also 512M,'
	@echo '                 soak); not part of check'
	@echo '  install        as root: install-module and install-user'
	@echo '  install-module madvstat.ko for KDIR into /lib/modules/<release>/extra/,'
	@echo '                 then depmod (SIGN_KEY=file SIGN_CERT=file: signed)'
	@echo '  install-user   madvstat and madvfree-repro into $$(PREFIX)/bin, the'
	@echo '                 man page into $$(PREFIX)/share/man/man1 (PREFIX=$(PREFIX)),'
	@echo '                 the exporter'"'"'s unit madvstat-exporter.service into'
	@echo '                 $$(PREFIX)/lib/systemd/system, madvstat.conf into'
	@echo '                 $$(PREFIX)/lib/modules-load.d (the module loads at boot),'
	@echo '                 the Prometheus rules into $$(PREFIX)/share/madvstat;'
	@echo '                 with DKMS, this is the rest of the install'
	@echo '                 (DESTDIR= stages any of the three, without depmod)'
	@echo '  uninstall      remove what install, install-module or install-user installed'
	@echo '  dkms-install   as root: the module source into /usr/src/madvstat-$(VERSION)/,'
	@echo '                 then dkms add, build and install for KDIR; DKMS rebuilds'
	@echo '                 it for each kernel installed later'
	@echo '  dkms-remove    dkms remove for all kernels, and the source tree'
	@echo '  dkms-source    only the DKMS source tree, into'
	@echo '                 $$(DESTDIR)$$(DKMS_SRCTREE)/madvstat-$(VERSION)/'
	@echo '  lint           checkpatch --strict, sparse C=2 and W=1 on the module,'
	@echo '                 for KDIR if given, else for every test kernel (the'
	@echo '                 arm64 ones too once fetched)'
	@echo '  clean          remove build/ (keeps the .cache/ of kernels)'
	@echo '  distclean      clean, and remove .cache/'
	@echo
	@echo 'Run anything in a test kernel: ./qemu/vm --help'

check-kdir:
	@test -f $(KDIR)/Makefile || { \
	  echo "error: no kernel build tree at KDIR=$(KDIR)" >&2; \
	  echo "  install headers for the running kernel" \
	       "(apt-get install linux-headers-$$(uname -r))," >&2; \
	  echo "  or pass KDIR=/usr/src/linux-headers-<release>;" \
	       "'make kernels' installs the test kernels' headers" >&2; \
	  exit 1; }

# Out-of-tree modules build next to their sources, so each kernel gets its own
# copy of the sources under build/<release>/ and both can be built side by side.
# stage_module DIR: what Kbuild builds the module from, copied into DIR.
stage_module = mkdir -p $(1)/module && cp -p Kbuild VERSION $(1)/ && \
	cp -p $(wildcard module/*.c module/*.h) $(1)/module/

module: check-kdir
	@$(call stage_module,$(KOUT))
	$(KBUILD_ENV) $(MAKE) -C $(KBUILD_DIR) M=$(KOUT) modules
	@echo "built $(KOUT)/madvstat.ko"

# User space. Programs are userspace/<name>.c plus userspace/lib/; host
# unit tests are userspace/tests/*_test.c; selftests are selftests/*_test.c
# plus selftests/lib/ and userspace/lib/, built static for the guest.
USER_LIB := $(wildcard userspace/lib/*.c)
USER_HDR := $(wildcard userspace/lib/*.h)
USER_PROGS := $(patsubst userspace/%.c,%,$(wildcard userspace/*.c))
USER_TESTS := $(patsubst userspace/tests/%.c,%,$(wildcard userspace/tests/*_test.c))
SELFTEST_LIB := $(wildcard selftests/lib/*.c)
SELFTEST_HDR := $(wildcard selftests/lib/*.h)
SELFTESTS := $(patsubst selftests/%.c,%,$(wildcard selftests/*_test.c \
	selftests/smallvm/*_test.c selftests/soak/*_test.c selftests/exact/*_test.c))
# The exactness checker is several files: its test program and the rest.
EXACT_SRC := $(filter-out %_test.c,$(wildcard selftests/exact/*.c))
# The kselftest headers need GNU C; everything else is plain C11.
SELFTEST_CFLAGS := $(filter-out -std=c11,$(USER_CFLAGS)) -std=gnu11 \
	-static -I$(KSFT_DIR) -Iuserspace/lib -Iselftests/lib

user: $(addprefix $(BUILD)/user/,$(USER_PROGS))

# The exporter's HTTP server is libmicrohttpd's, linked dynamically into
# the host's madvstat and its tests only; the other programs and the
# static ones of the guests are built without it (httpd.c's stub).
MHD_CFLAGS := -DMS_HAVE_MHD
MHD_LIBS := -lmicrohttpd
$(BUILD)/user/madvstat: PROG_CFLAGS := $(MHD_CFLAGS)
$(BUILD)/user/madvstat: PROG_LIBS := $(MHD_LIBS)

$(BUILD)/user/%: userspace/%.c $(USER_LIB) $(USER_HDR) VERSION
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(PROG_CFLAGS) -Iuserspace/lib -o $@ $< $(USER_LIB) \
		$(PROG_LIBS)

# Host unit tests, under ASan and UBSan; TAP output, totals last, summed
# by the same runner the guests use.
USER_SCRIPT_TESTS := $(patsubst userspace/tests/%.sh,%,$(wildcard userspace/tests/*_test.sh))
user-test: $(addprefix $(BUILD)/user-test/,$(USER_TESTS) $(USER_SCRIPT_TESTS)) \
		$(BUILD)/user-test/madvstat $(BUILD)/user-test/timeline-svg
	@./qemu/guest-run-selftests $(BUILD)/user-test

# madvstat itself under ASan and UBSan, for the script tests (exporter_test).
$(BUILD)/user-test/madvstat: userspace/madvstat.c $(USER_LIB) $(USER_HDR) VERSION
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(MHD_CFLAGS) $(SAN_FLAGS) -Iuserspace/lib -o $@ $< \
		$(USER_LIB) $(MHD_LIBS)

# timeline-svg likewise, for chart_render_test.
$(BUILD)/user-test/timeline-svg: userspace/timeline-svg.c $(USER_LIB) $(USER_HDR)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(SAN_FLAGS) -Iuserspace/lib -o $@ $< $(USER_LIB)

# The script tests run from the top of the tree, like the rest.
$(BUILD)/user-test/%_test: userspace/tests/%_test.sh
	@mkdir -p $(@D)
	cp $< $@

$(BUILD)/user-test/%: userspace/tests/%.c $(USER_LIB) $(USER_HDR)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(MHD_CFLAGS) $(SAN_FLAGS) -Iuserspace/lib \
		-Iuserspace/tests -o $@ $< $(USER_LIB) $(MHD_LIBS)

# What the guests run, static, the same for every kernel: the selftests,
# the user-space programs and the benchmark.
selftests:
	@test -f $(KSFT_DIR)/kselftest_harness.h || { \
	  echo "error: no kselftest headers in $(KSFT_DIR); run 'make kernels'" >&2; \
	  exit 1; }
	@test -n "$(SELFTESTS)" || { echo "error: no selftests/*_test.c" >&2; exit 1; }
	@$(MAKE) --no-print-directory $(addprefix $(GUEST_BIN)/,$(SELFTESTS) $(USER_PROGS)) \
		$(GUEST_BIN)/madvstat-bench $(RUNTIME_PROGS)

$(GUEST_BIN)/%_test: selftests/%_test.c $(SELFTEST_LIB) $(SELFTEST_HDR) $(USER_LIB) $(USER_HDR)
	@mkdir -p $(@D)
	$(CC) $(SELFTEST_CFLAGS) -o $@ $< $(SELFTEST_LIB) $(USER_LIB)

$(GUEST_BIN)/exact/exactness_test: selftests/exact/exactness_test.c $(EXACT_SRC) \
		$(wildcard selftests/exact/*.h) $(SELFTEST_LIB) $(SELFTEST_HDR) $(USER_LIB) $(USER_HDR)
	@mkdir -p $(@D)
	$(CC) $(SELFTEST_CFLAGS) -Iselftests/exact -o $@ $< $(EXACT_SRC) $(SELFTEST_LIB) $(USER_LIB)

# The benchmark program qemu/bench runs in the guest.
BENCH_SRC := $(wildcard bench/*.c)
$(GUEST_BIN)/madvstat-bench: $(BENCH_SRC) bench/bench.h $(SELFTEST_LIB) $(SELFTEST_HDR) $(USER_LIB) $(USER_HDR)
	@mkdir -p $(@D)
	$(CC) $(SELFTEST_CFLAGS) -Ibench -o $@ $(BENCH_SRC) $(SELFTEST_LIB) $(USER_LIB)

$(GUEST_BIN)/%: userspace/%.c $(USER_LIB) $(USER_HDR) VERSION
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -static -Iuserspace/lib -o $@ $< $(USER_LIB)

# The programs runtime_test names the runtime of: Go without cgo (Debian's
# golang-go), static; C on jemalloc (Debian's libjemalloc.a), static.
RUNTIME_PROGS := $(GUEST_BIN)/gofree $(GUEST_BIN)/jefree
GO_ENV := CGO_ENABLED=0 GOFLAGS=-mod=mod GOTOOLCHAIN=local \
	GOCACHE=$(BUILD)/go/cache GOPATH=$(BUILD)/go/path
# GOARCH: the guest's, when it is not the host's (selftests-arm64).
$(GUEST_BIN)/gofree: selftests/programs/gofree/main.go selftests/programs/gofree/go.mod
	@mkdir -p $(@D)
	cd selftests/programs/gofree && $(GO_ENV) GOARCH=$(GOARCH) go build -trimpath -o $@ .

$(GUEST_BIN)/jefree: selftests/programs/jefree/jefree.c
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -static -o $@ $< -l:libjemalloc.a -lpthread -lm -ldl

guest: module selftests

# The same static programs for arm64 guests (qemu/vm --arch arm64), into
# build/guest-arm64/bin/, cross-built in the arm64 6.12 build environment
# (bookworm's chroot, `./qemu/kernels fetch --arch arm64`) with gcc 12, the
# host's, and bookworm's Go and arm64 libjemalloc.a for the runtime programs.
ARM64_GUEST_BIN := $(BUILD)/guest-arm64/bin
selftests-arm64:
	./qemu/kernels --arch arm64 install 6.12 libc6-dev-arm64-cross golang-go \
		libjemalloc-dev:arm64
	./qemu/kernels --arch arm64 run 6.12 $(MAKE) --no-print-directory \
		CC=aarch64-linux-gnu-gcc-12 GOARCH=arm64 GUEST_BIN=$(ARM64_GUEST_BIN) \
		RUNTIME_PROGS="$(ARM64_GUEST_BIN)/gofree $(ARM64_GUEST_BIN)/jefree" \
		selftests

# The exporter with the real parts, in a guest of its own (qemu/check): the
# host's dynamically linked programs and their libraries, added at the
# guest's /, and selftests/prometheus/ in /root/prom.
PROM_GUEST := $(BUILD)/guest/prom
guest-prom: $(BUILD)/user/madvstat
	@./qemu/dynroot $(PROM_GUEST) $(BUILD)/user/madvstat prometheus promtool \
		prometheus-node-exporter curl >/dev/null
	install -D -m 755 selftests/prometheus/exporter_vm_test.sh \
		$(PROM_GUEST)/root/prom/exporter_vm_test
	install -D -m 644 qemu/lib.sh $(PROM_GUEST)/root/prom/lib.sh
	install -D -m 644 contrib/prometheus/madvstat.rules.yml \
		$(PROM_GUEST)/root/prom/madvstat.rules.yml

# The module that WARN()s on load, for qemu/test-harness to prove a splat
# fails a run; built only for that test.
harness: check-kdir
	$(KBUILD_ENV) $(MAKE) -C selftests/harness KDIR=$(KBUILD_DIR)

kernels:
	./qemu/kernels fetch

check:
	./qemu/check

check-arm64:
	./qemu/check arm64

soak:
	./qemu/check soak

# The exactness checker alone, fresh random seeds, SECONDS per configuration.
check-exact:
	EXACT_SECONDS=$(or $(SECONDS),3600) ./qemu/check exact

demo:
	@./qemu/demo

# The user-space parsers under libFuzzer (clang), ASan and UBSan.
FUZZ_SECONDS ?= 30
fuzz:
	@./userspace/fuzz/run-fuzz $(FUZZ_SECONDS)

# The selftests in 6.12 and 7.2 kernels built with lockdep, KASAN,
# DEBUG_VM, kmemleak... (qemu/debug-kernel; the first build takes long).
check-debug:
	@./qemu/check-debug

# Benchmarks in both test kernels: a table of ratios (qemu/bench).
bench:
	@./qemu/bench

# Installing on a real host. DESTDIR stages the files (for packaging, and
# for the install test of `make check`); depmod runs only without it.
MOD_DEST = $(DESTDIR)/lib/modules/$(KREL)/extra
# The exporter's unit and the file that loads the module at boot go where
# systemd looks for them under PREFIX (/usr/local/lib/systemd/system and
# /usr/local/lib/modules-load.d are in its search paths, as /usr/lib's are).
UNIT_DEST = $(DESTDIR)$(PREFIX)/lib/systemd/system/madvstat-exporter.service
MODLOAD_DEST = $(DESTDIR)$(PREFIX)/lib/modules-load.d/madvstat.conf
RULES_DEST = $(DESTDIR)$(PREFIX)/share/madvstat/madvstat.rules.yml
INSTALLED := $(MOD_DEST)/madvstat.ko $(DESTDIR)$(PREFIX)/bin/madvstat \
	$(DESTDIR)$(PREFIX)/bin/madvfree-repro \
	$(DESTDIR)$(PREFIX)/share/man/man1/madvstat.1 \
	$(UNIT_DEST) $(MODLOAD_DEST) $(RULES_DEST)

install: install-module install-user

install-module: module
	install -D -m 644 $(KOUT)/madvstat.ko $(MOD_DEST)/madvstat.ko
ifneq ($(SIGN_KEY)$(SIGN_CERT),)
	@test -f "$(SIGN_KEY)" && test -f "$(SIGN_CERT)" || { \
	  echo "error: SIGN_KEY and SIGN_CERT must both name files" >&2; exit 1; }
	$(KBUILD_ENV) $(KDIR)/scripts/sign-file sha256 $(SIGN_KEY) $(SIGN_CERT) \
		$(MOD_DEST)/madvstat.ko
endif
ifeq ($(DESTDIR),)
	depmod -a $(KREL)
	@echo "installed for $(KREL); load it with: modprobe madvstat"
endif

install-user: user
	install -D -m 755 $(BUILD)/user/madvstat $(DESTDIR)$(PREFIX)/bin/madvstat
	install -D -m 755 $(BUILD)/user/madvfree-repro \
		$(DESTDIR)$(PREFIX)/bin/madvfree-repro
	install -D -m 644 Documentation/madvstat.1 \
		$(DESTDIR)$(PREFIX)/share/man/man1/madvstat.1
	@mkdir -p $(dir $(UNIT_DEST))
	sed 's|@BINDIR@|$(PREFIX)/bin|' contrib/systemd/madvstat-exporter.service.in \
		>$(UNIT_DEST)
	chmod 644 $(UNIT_DEST)
	install -D -m 644 contrib/modules-load.d/madvstat.conf $(MODLOAD_DEST)
	install -D -m 644 contrib/prometheus/madvstat.rules.yml $(RULES_DEST)

uninstall: check-kdir
	rm -f $(INSTALLED)
	-rmdir $(dir $(RULES_DEST)) 2>/dev/null
ifeq ($(DESTDIR),)
	depmod -a $(KREL)
endif

# The source tree DKMS builds from: Kbuild, VERSION, module/ and dkms.conf
# with the version filled in.
DKMS_DIR = $(DESTDIR)$(DKMS_SRCTREE)/madvstat-$(VERSION)
dkms-source:
	rm -rf $(DKMS_DIR)
	$(call stage_module,$(DKMS_DIR))
	sed 's/@VERSION@/$(VERSION)/' dkms.conf >$(DKMS_DIR)/dkms.conf

dkms-install: check-kdir
	@command -v dkms >/dev/null || { \
	  echo "error: dkms is not installed (apt-get install dkms)" >&2; exit 1; }
	-dkms remove madvstat/$(VERSION) --all 2>/dev/null
	$(MAKE) --no-print-directory dkms-source DESTDIR=
	dkms add madvstat/$(VERSION)
	dkms install madvstat/$(VERSION) -k $(KREL)
	@echo "installed for $(KREL); load it with: modprobe madvstat"

dkms-remove:
	-dkms remove madvstat/$(VERSION) --all
	rm -rf $(DKMS_SRCTREE)/madvstat-$(VERSION)

# Lint for KDIR when given, else for every test kernel.
lint:
ifeq ($(origin KDIR),command line)
	./qemu/lint $(KDIR)
else
	@kdirs=$$({ ./qemu/kernels list; ./qemu/kernels --arch arm64 list; } | awk '{print $$4}'); \
	test -n "$$kdirs" || { echo "error: no test kernels; run 'make kernels'" >&2; exit 1; }; \
	./qemu/lint $$kdirs
endif

clean:
	rm -rf $(BUILD)

distclean: clean
	rm -rf $(CACHE)
