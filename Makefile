# ipcscope — build, test, run.  `make help` lists the targets.
#
# Everything generated lives under $(BUILD): vmlinux.h, BPF objects,
# skeletons, objects and dependency files.  SAN=1 builds with
# AddressSanitizer and UndefinedBehaviorSanitizer into build/san/.

.DELETE_ON_ERROR:
.SECONDARY:
.DEFAULT_GOAL := all

SAN ?= 0
ifeq ($(SAN),1)
BUILD ?= build/san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
BUILD ?= build
SANFLAGS :=
endif

CC ?= cc
CLANG ?= clang
BPFTOOL ?= $(shell command -v bpftool 2>/dev/null || echo /usr/sbin/bpftool)
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
PKG_CONFIG ?= pkg-config
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.1.0)

ifeq ($(V),1)
Q :=
else
Q := @
endif

WARN := -Wall -Wextra -Werror
CFLAGS ?= -O2 -g
ALL_CFLAGS := $(CFLAGS) $(WARN) $(SANFLAGS) -std=gnu11 -D_GNU_SOURCE \
	-DIPCSCOPE_VERSION='"$(VERSION)"' -I$(BUILD) -Ibpf -Itracer -Iui -MMD -MP
LDLIBS_BPF := $(shell $(PKG_CONFIG) --libs libbpf 2>/dev/null || echo -lbpf -lelf -lz)
LDLIBS_CURSES := $(shell $(PKG_CONFIG) --libs ncursesw 2>/dev/null || echo -lncursesw)
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Werror -I$(BUILD) -Ibpf

# The model, outputs and scene are pure C: unit tests link them alone.
CORE_SRCS := tracer/model.c tracer/model_objects.c tracer/model_apply.c \
	tracer/model_apply_ipc.c tracer/model_snap.c tracer/model_copy.c \
	tracer/hmap.c tracer/escape.c tracer/json.c \
	tracer/kernel_features.c \
	tracer/record.c tracer/report.c tracer/names.c tracer/ipc_cmd.c \
	tracer/notes_text.c tracer/recording.c tracer/timeline.c \
	tracer/model_noise.c
UI_SRCS := $(wildcard ui/*.c)
TRACER_SRCS := $(filter-out $(CORE_SRCS),$(wildcard tracer/*.c))
CORE_OBJS := $(CORE_SRCS:%.c=$(BUILD)/%.o)
UI_OBJS := $(UI_SRCS:%.c=$(BUILD)/%.o)
TRACER_OBJS := $(TRACER_SRCS:%.c=$(BUILD)/%.o)

DEMO_SRCS := $(filter-out demos/demo.c,$(wildcard demos/*.c))
DEMOS := $(DEMO_SRCS:demos/%.c=$(BUILD)/demos/%)
TEST_PROG_SRCS := $(wildcard tests/progs/*.c)
TEST_PROGS := $(TEST_PROG_SRCS:tests/progs/%.c=$(BUILD)/tests/progs/%)
# 32-bit (ia32) test programs: built without the sanitizers
TEST_PROG32_SRCS := $(wildcard tests/progs32/*.c)
TEST_PROGS32 := $(TEST_PROG32_SRCS:tests/progs32/%.c=$(BUILD)/tests/progs32/%)
STRESS_PROG_SRCS := $(wildcard tests/stress/progs/*.c)
STRESS_PROGS := $(STRESS_PROG_SRCS:tests/stress/progs/%.c=$(BUILD)/tests/stress/progs/%)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_TESTS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/unit/%)
BENCH_SRCS := $(wildcard bench/*.c)
BENCH_PROGS := $(BENCH_SRCS:bench/%.c=$(BUILD)/bench/%)

.PHONY: all deps test unit unit-bins run bench clean help vmtest stress
all: $(BUILD)/ipcscope $(DEMOS) $(TEST_PROGS) $(TEST_PROGS32) $(STRESS_PROGS)

help:
	@echo "make            build build/ipcscope and the demos into build/demos/"
	@echo "make deps       install the Debian packages the build and tests need"
	@echo "make run        build and run ipcscope on the pipe demo (root)"
	@echo "make test       deps, build, and every test (root): unit, integration,"
	@echo "                demos, terminal, then again under Debian 12's 6.1 and"
	@echo "                6.12 kernels in qemu (make vmtest)"
	@echo "make vmtest     unit and integration tests under Debian 12's 6.1 and 6.12"
	@echo "                kernels in qemu (root; VMTEST_KERNELS picks others)"
	@echo "make bench      overhead benchmarks (root)"
	@echo "make stress     the failure table (overflow, stalls, churn, fd shapes,"
	@echo "                hostile names, kills, resizes) against the plain and"
	@echo "                the sanitizer build (root; STRESS_QUICK=1 for CI)"
	@echo "make clean      remove build/"
	@echo "V=1 shows commands; SAN=1 builds with ASan+UBSan into build/san/"

# --- set-up --------------------------------------------------------------
DEB_PKGS := clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev \
	libncurses-dev pkg-config libcmocka-dev tmux python3 make gcc \
	iproute2 procps strace git gcc-multilib qemu-system-x86 busybox-static
deps:
	$(Q)scripts/deps.sh $(DEB_PKGS)

# --- BPF -----------------------------------------------------------------
$(BUILD)/vmlinux.h: | $(BUILD)
	$(Q)test -r $(VMLINUX_BTF) || { echo "ipcscope: $(VMLINUX_BTF) is missing: the kernel needs CONFIG_DEBUG_INFO_BTF=y (or set VMLINUX_BTF=path)" >&2; exit 1; }
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@

# -MMD: the object depends on the bpf/*.bpf.h headers it includes too
$(BUILD)/%.bpf.o: bpf/%.bpf.c bpf/ipcscope.h $(BUILD)/vmlinux.h | $(BUILD)
	@echo "  BPF     $@"
	$(Q)$(CLANG) $(BPF_CFLAGS) -MMD -MP -MF $(@:.o=.d) -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	@echo "  SKEL    $@"
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$(notdir $*))_bpf > $@

# --- user space ----------------------------------------------------------
$(BUILD)/tracer/loader.o $(BUILD)/tracer/snapshot.o: $(BUILD)/ipcscope.skel.h

$(BUILD)/%.o: %.c | $(BUILD)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/ipcscope: $(TRACER_OBJS) $(CORE_OBJS) $(UI_OBJS)
	@echo "  LD      $@"
	$(Q)$(CC) $(SANFLAGS) $^ -o $@ $(LDLIBS_BPF) $(LDLIBS_CURSES)

$(BUILD)/demos/%: demos/%.c demos/demo.c demos/demo.h | $(BUILD)
	@mkdir -p $(dir $@)
	@echo "  DEMO    $@"
	$(Q)$(CC) $(CFLAGS) $(WARN) $(SANFLAGS) -std=gnu11 -D_GNU_SOURCE $< demos/demo.c -o $@

$(BUILD)/tests/progs/%: tests/progs/%.c | $(BUILD)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(WARN) $(SANFLAGS) -std=gnu11 -D_GNU_SOURCE $< -o $@

# the stress programs (tests/stress/progs/stress.h is theirs)
$(BUILD)/tests/stress/progs/%: tests/stress/progs/%.c tests/stress/progs/stress.h | $(BUILD)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(WARN) $(SANFLAGS) -std=gnu11 -D_GNU_SOURCE -pthread $< -o $@

$(BUILD)/tests/progs32/%: tests/progs32/%.c | $(BUILD)
	@mkdir -p $(dir $@)
	$(Q)$(CC) -m32 $(CFLAGS) $(WARN) -std=gnu11 -D_GNU_SOURCE $< -o $@

$(BUILD)/tests/unit/%: $(BUILD)/tests/unit/%.o $(CORE_OBJS) $(UI_OBJS)
	$(Q)$(CC) $(SANFLAGS) $^ -o $@ -lcmocka $(LDLIBS_CURSES)

# the consumer bench links the model and the outputs, like the unit tests
$(BUILD)/bench/consumer: $(BUILD)/bench/consumer.o $(CORE_OBJS)
	$(Q)$(CC) $(SANFLAGS) $^ -o $@

$(BUILD)/bench/%: bench/%.c | $(BUILD)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(WARN) -std=gnu11 -D_GNU_SOURCE $< -o $@

# The render benchmark draws frames with the real model and scene code.
$(BUILD)/bench/render: $(BUILD)/bench/render.o $(CORE_OBJS) $(UI_OBJS)
	$(Q)$(CC) $(SANFLAGS) $^ -o $@ $(LDLIBS_CURSES)

$(BUILD):
	@mkdir -p $@

# --- running and testing ---------------------------------------------------
unit-bins: $(UNIT_TESTS)

run:
	$(Q)scripts/deps.sh --quiet $(DEB_PKGS)
	$(Q)$(MAKE) --no-print-directory all
	$(BUILD)/ipcscope --demo pipe

# The sanitizer build runs the unit tests and the quick integration tests.
test:
	$(Q)scripts/deps.sh --quiet $(DEB_PKGS)
	$(Q)$(MAKE) --no-print-directory all unit-bins $(BENCH_PROGS)
	$(Q)$(MAKE) --no-print-directory SAN=1 all unit-bins
	$(Q)tests/run.sh

unit: all unit-bins
	$(Q)tests/run.sh unit

# Debian's kernels run 32-bit programs: there the ia32 test must run.
VMTEST_KERNELS ?=
vmtest: all unit-bins
	$(Q)scripts/deps.sh --quiet $(DEB_PKGS)
	$(Q)IPCSCOPE_REQUIRE_IA32=1 tests/vmtest/vmtest.sh $(VMTEST_KERNELS)

# The failure table, each row against build/ipcscope and build/san/ipcscope.
stress:
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(MAKE) --no-print-directory SAN=1 all
	$(Q)python3 tests/stress/run.py

bench: all $(BENCH_PROGS)
	$(Q)bench/run.py

clean:
	rm -rf build

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
