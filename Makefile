# kbackport — see README.md. `make check` sets everything up and runs all tests.

PKGS      := libgit2 yaml-0.1 jansson libarchive libcurl
# Debian packages. RUN_PKGS: what `make run` needs to port, build, boot and
# measure (build deps, the kernel trees, Kbuild's tools, QEMU and the guest's
# programs, Coccinelle). CHECK_PKGS: what only the tests need, installed by
# `make check`.
RUN_PKGS  := gcc make pkg-config libgit2-dev libyaml-dev libjansson-dev \
	     libarchive-dev libcurl4-openssl-dev git xz-utils \
	     linux-source-6.1 linux-source-6.12
# kernel builds with ccache (lz4: the QEMU kernel's compression), the
# vendor-config check (sparse, Debian's configs)
RUN_PKGS  += bc bison flex libelf-dev libssl-dev perl lz4 ccache sparse \
	     linux-config-6.1 linux-config-6.12
# the QEMU guest and its workloads; semantic patches (cocci/, backports/<series>/cocci/)
RUN_PKGS  += qemu-system-x86 busybox-static fio e2fsprogs dmsetup coccinelle
# the exports applied for real (git am, quilt), patch/wiggle for comparison,
# python3 for checking JSON
CHECK_PKGS := quilt patch wiggle python3
# the HTML report, rendered by a real browser in its test
CHECK_PKGS += chromium
# LAVA jobs (validation, lava-run, REST submission) and the ssh test box
CHECK_PKGS += lava-dispatcher dropbear-bin openssh-client
# the ssh test box's stand-in: Debian's own kernel, kexec, sftp for scp
CHECK_PKGS += kexec-tools openssh-sftp-server linux-image-amd64
# a real LAVA lab for the submission test (tests/helpers/lava-lab)
CHECK_PKGS += lava-server postgresql
# the sanitizer builds and the libFuzzer harnesses (clang's runtime)
CHECK_PKGS += clang libclang-rt-14-dev
# git send-email, which takes kbackport mail's draft in its test
CHECK_PKGS += git-email libmailtools-perl libauthen-sasl-perl

CC        ?= cc
CFLAGS    ?= -O2 -g
CFLAGS    += -std=gnu11 -Wall -Wextra -Werror -MMD -MP
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

# tool/<stage>/*.c, one folder per stage (README "Layout"); tool/guest/ is
# built for the guest by tool/guest/guest.mk.
STAGES    := lib git mail port build boot report builtin
TOOL_SRCS := tool/main.c $(foreach d,$(STAGES),$(wildcard tool/$(d)/*.c))
LIB_SRCS  := $(filter-out tool/main.c tool/builtin/%.c,$(TOOL_SRCS))
UNIT_SRCS := $(wildcard tests/unit/*.c)

TOOL_OBJS := $(TOOL_SRCS:.c=.o)
LIB_OBJS  := $(LIB_SRCS:.c=.o)
UNIT_OBJS := $(UNIT_SRCS:.c=.o)

.PHONY: all deps deps-run check check-full run bench clean unit san fuzz-build fuzz

all: kbackport

kbackport: $(TOOL_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

tool/%.o: tool/%.c
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -Itool -c -o $@ $<

tests/unit/%.o: tests/unit/%.c
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -Itool -c -o $@ $<

tests/unit/run-unit: $(UNIT_OBJS) $(LIB_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# The tool and its unit tests again with AddressSanitizer and UBSan (the
# hostile-input tests run this build), and the libFuzzer harnesses of
# tests/fuzz/ over the same library code; all under work/, never committed.
SAN_DIR    := work/san
SAN_FLAGS  := -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
SAN_LIB    := $(LIB_SRCS:%.c=$(SAN_DIR)/%.o)
SAN_TOOL   := $(TOOL_SRCS:%.c=$(SAN_DIR)/%.o)
SAN_UNIT   := $(UNIT_SRCS:%.c=$(SAN_DIR)/%.o)
FUZZ_CC    := clang
FUZZ_DIR   := work/fuzz
FUZZ_NAMES := mbox diff series match
FUZZ_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_LIB   := $(LIB_SRCS:%.c=$(FUZZ_DIR)/%.o)
FUZZ_BINS  := $(FUZZ_NAMES:%=$(FUZZ_DIR)/fuzz-%)

$(SAN_DIR)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SAN_FLAGS) $(PKG_CFLAGS) -Itool -c -o $@ $<

$(SAN_DIR)/kbackport: $(SAN_TOOL)
	$(CC) $(SAN_FLAGS) -o $@ $^ $(PKG_LIBS)

$(SAN_DIR)/run-unit: $(SAN_UNIT) $(SAN_LIB)
	$(CC) $(SAN_FLAGS) -o $@ $^ $(PKG_LIBS)

$(FUZZ_DIR)/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) -std=gnu11 -Wall -Wextra -Werror -MMD -MP $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link \
		$(PKG_CFLAGS) -Itool -c -o $@ $<

$(FUZZ_DIR)/fuzz-%: $(FUZZ_DIR)/tests/fuzz/fuzz-%.o $(FUZZ_LIB)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $^ $(PKG_LIBS)

deps-run:
	@DEB_PKGS="$(RUN_PKGS)" sh tests/install-deps.sh

deps:
	@DEB_PKGS="$(RUN_PKGS) $(CHECK_PKGS)" sh tests/install-deps.sh

unit: tests/unit/run-unit

san: $(SAN_DIR)/kbackport $(SAN_DIR)/run-unit

fuzz-build: $(FUZZ_BINS)

# A campaign: every harness for FUZZ_SECONDS (default 300) from the seed
# corpus; findings land in work/fuzz/findings/, the summary on stdout.
fuzz: deps
	$(MAKE) fuzz-build
	sh tests/fuzz/campaign.sh $(FUZZ_NAMES)

# The fast tier (CI's); check-full adds what builds and boots kernels or runs
# a LAVA lab (tests/run.sh, "# tier: full").
check: deps
	$(MAKE) all unit san fuzz-build
	KB_TIER=fast sh tests/run.sh

check-full: deps
	$(MAKE) all unit san fuzz-build
	KB_TIER=full sh tests/run.sh

run: deps-run
	$(MAKE) all
	sh tests/run-main.sh

bench: deps
	$(MAKE) all fuzz-build
	FUZZ_SECONDS=900 sh tests/fuzz/campaign.sh $(FUZZ_NAMES)
	sh tests/bench.sh
	sh tests/bench-build.sh
	sh tests/bench-dio.sh
	sh tests/bench-run.sh

clean:
	rm -f kbackport tests/unit/run-unit tool/*.o tool/*.d tool/*/*.o tool/*/*.d tests/unit/*.o tests/unit/*.d

-include $(TOOL_SRCS:.c=.d) $(UNIT_SRCS:.c=.d) $(wildcard $(SAN_DIR)/*/*.d $(SAN_DIR)/*/*/*.d) \
	$(wildcard $(FUZZ_DIR)/*/*.d $(FUZZ_DIR)/*/*/*.d)
