# Guest-side DIO programs (kb-layout, kb-dio-check, kb-nowait): static
# binaries for the busybox initramfs, built with `make -f tool/guest/guest.mk`
# from the top of the tree (or included by another makefile). Output:
# $(KBACKPORT_WORK or work)/guest/bin/.

GUEST_SRC    := tool/guest/src
GUEST_BIN    := $(if $(KBACKPORT_WORK),$(KBACKPORT_WORK),work)/guest/bin
GUEST_CC     ?= cc
GUEST_CFLAGS := -static -O2 -Wall -Wextra -Werror -std=gnu11 -pthread
GUEST_PROGS  := $(addprefix $(GUEST_BIN)/,kb-layout kb-dio-check kb-nowait)
GUEST_COMMON := $(GUEST_SRC)/kb.c $(GUEST_SRC)/kb-uring.c

.PHONY: guest-progs guest-clean

guest-progs: $(GUEST_PROGS)

$(GUEST_BIN)/%: $(GUEST_SRC)/%.c $(GUEST_COMMON) $(wildcard $(GUEST_SRC)/*.h)
	@mkdir -p $(GUEST_BIN)
	$(GUEST_CC) $(GUEST_CFLAGS) -o $@ $< $(GUEST_COMMON)

guest-clean:
	rm -f $(GUEST_PROGS)
