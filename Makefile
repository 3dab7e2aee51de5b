# kbackport — see README.md. `make check` sets everything up and runs all tests.

PKGS      := libgit2 yaml-0.1 jansson libarchive libcurl
# Debian packages the project needs: build deps, the kernel trees it ports to,
# and the tools its tests run for real (git am, quilt).
DEB_PKGS  := gcc make pkg-config libgit2-dev libyaml-dev libjansson-dev \
	     libarchive-dev git xz-utils \
	     linux-source-6.1 linux-source-6.12
# the port's tests and bench: quilt and patch/wiggle for comparison, a minimal
# kernel compile of fs/ext4, python3 for checking JSON
DEB_PKGS  += quilt patch wiggle python3 bc bison flex libelf-dev libssl-dev
# build and boot: kernel builds with ccache (lz4: the QEMU kernel's compression),
# the vendor-config check (sparse, Debian's configs), the QEMU guest
DEB_PKGS  += perl lz4 ccache sparse linux-config-6.1 linux-config-6.12 \
	     qemu-system-x86 busybox-static fio e2fsprogs dmsetup
# semantic patches (cocci/, backports/<series>/cocci/)
DEB_PKGS  += coccinelle
# the HTML report, rendered by a real browser in its test
DEB_PKGS  += chromium
# LAVA jobs (validation, lava-run, REST submission) and the ssh test box
DEB_PKGS  += libcurl4-openssl-dev lava-dispatcher dropbear-bin openssh-client
# the ssh test box's stand-in: Debian's own kernel, kexec, sftp for scp
DEB_PKGS  += kexec-tools openssh-sftp-server linux-image-amd64
# a real LAVA lab for the submission test (tests/helpers/lava-lab)
DEB_PKGS  += lava-server postgresql

CC        ?= cc
CFLAGS    ?= -O2 -g
CFLAGS    += -std=gnu11 -Wall -Wextra -Werror -MMD -MP
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

TOOL_SRCS := $(wildcard tool/*.c)
LIB_SRCS  := $(filter-out tool/main.c tool/cmd-%.c,$(TOOL_SRCS))
UNIT_SRCS := $(wildcard tests/unit/*.c)

TOOL_OBJS := $(TOOL_SRCS:.c=.o)
LIB_OBJS  := $(LIB_SRCS:.c=.o)
UNIT_OBJS := $(UNIT_SRCS:.c=.o)

.PHONY: all deps check run bench clean unit

all: kbackport

kbackport: $(TOOL_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

tool/%.o: tool/%.c
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

tests/unit/%.o: tests/unit/%.c
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -Itool -c -o $@ $<

tests/unit/run-unit: $(UNIT_OBJS) $(LIB_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

deps:
	@DEB_PKGS="$(DEB_PKGS)" sh tests/install-deps.sh

unit: tests/unit/run-unit

check: deps
	$(MAKE) all unit
	sh tests/run.sh

run: deps
	$(MAKE) all
	sh tests/run-main.sh

bench: deps
	$(MAKE) all
	sh tests/bench.sh
	sh tests/bench-build.sh
	sh tests/bench-dio.sh
	sh tests/bench-run.sh

clean:
	rm -f kbackport tests/unit/run-unit tool/*.o tool/*.d tests/unit/*.o tests/unit/*.d

-include $(TOOL_SRCS:.c=.d) $(UNIT_SRCS:.c=.d)
