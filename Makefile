# Proxima top-level Makefile.
#
# Kbuild-style but non-recursive: every directory has a Makefile that lists
# its objects in obj-y / obj-$(CONFIG_X) and its subdirectories as "dir/".
# All objects land under the build directory (O=, default "build"), so one
# source tree serves any number of configurations and compilers.
#
#   make [O=dir] [CC=clang] [V=1]   build the image (defconfig if no .config)
#   make help                        list every target
#
# Every object and every link output T has a file .T.cmd beside it holding
# the command that last built it: another CC, other flags or another
# configuration's flags rebuild what they change, in place ("Saved
# commands" below).

MAKEFLAGS += -rR --no-print-directory
.SUFFIXES:

srctree := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
O ?= build
objtree := $(abspath $(O))
ARCH := x86
SRCARCH := x86
export srctree objtree

ifeq ($(V),1)
Q :=
quiet = @:
else
Q := @
quiet = @printf '  %-8s %s\n'
endif

# Toolchain. "cc" (make's built-in default) means gcc here; with -R the
# built-in default is gone in sub-makes, so treat "undefined" the same.
ifneq ($(filter default undefined,$(origin CC)),)
CC := gcc
endif
LD := ld
OBJCOPY := objcopy
NM := nm
HOSTCC ?= gcc
# Added last to every freestanding compile (make EXTRA_CFLAGS=-O1).
EXTRA_CFLAGS ?=
PYTHON := /usr/bin/python3

KCONFIG_CONF := kconfig-conf
KCONFIG_MCONF := kconfig-mconf
KCONFIG_NCONF := kconfig-nconf
export KCONFIG_CONFIG := $(objtree)/.config
export KCONFIG_AUTOCONFIG := $(objtree)/include/config/auto.conf
export KCONFIG_AUTOHEADER := $(objtree)/include/generated/autoconf.h
export KCONFIG_TRISTATE := $(objtree)/include/config/tristate.conf

VERSION := 0.1.0
CMDLINE ?=
GIT_REV := $(shell cd $(srctree) && git rev-parse --short HEAD 2>/dev/null || echo unknown)

# Targets that must not read or create a configuration.
no-config-targets := help clean distclean mrproper defconfig %_defconfig run-cmdline \
	menuconfig nconfig olddefconfig oldconfig savedefconfig deps \
	check bench format format-check
config-goals := $(filter-out $(no-config-targets),$(if $(MAKECMDGOALS),$(MAKECMDGOALS),all))
config-goals := $(foreach g,$(config-goals),$(if $(filter %_defconfig,$(g)),,$(g)))

.PHONY: all
all: $(objtree)/proxima

# Goals that a fresh machine can be asked for first install what they need
# before anything else runs (kconfig-conf is needed to read the config).
ifneq ($(filter run check bench menuconfig nconfig iso,$(MAKECMDGOALS)),)
$(shell $(srctree)/scripts/install-deps --quiet 1>&2)
ifneq ($(.SHELLSTATUS),0)
$(error scripts/install-deps failed; see above)
endif
endif

# ---------------------------------------------------------------------------
# Configuration (kconfig-frontends)

conf = cd $(objtree) && srctree=$(srctree) $(KCONFIG_CONF)

$(objtree):
	$(Q)mkdir -p $@

.PHONY: defconfig %_defconfig olddefconfig oldconfig savedefconfig menuconfig nconfig
defconfig: x86_64_defconfig

%_defconfig: | $(objtree)
	$(Q)test -f $(srctree)/arch/$(SRCARCH)/configs/$@ || \
		{ echo "no such configuration: arch/$(SRCARCH)/configs/$@" >&2; exit 1; }
	$(Q)$(conf) -s --defconfig=$(srctree)/arch/$(SRCARCH)/configs/$@ $(srctree)/Kconfig
	$(quiet) CONFIG "$(O)/.config from arch/$(SRCARCH)/configs/$@"

olddefconfig: | $(objtree)
	$(Q)$(conf) -s --olddefconfig $(srctree)/Kconfig

oldconfig: | $(objtree)
	$(Q)$(conf) --oldconfig $(srctree)/Kconfig

savedefconfig: | $(objtree)
	$(Q)$(conf) --savedefconfig=$(objtree)/defconfig $(srctree)/Kconfig
	$(quiet) GEN "$(O)/defconfig"

menuconfig: | $(objtree)
	$(Q)cd $(objtree) && srctree=$(srctree) $(KCONFIG_MCONF) $(srctree)/Kconfig

nconfig: | $(objtree)
	$(Q)cd $(objtree) && srctree=$(srctree) $(KCONFIG_NCONF) $(srctree)/Kconfig

ifneq ($(config-goals),)
# Any goal that builds needs a configuration: take the default one if
# there is none yet, then keep auto.conf and autoconf.h in step with it.
$(objtree)/.config: | $(objtree)
	@echo "  CONFIG   no $(O)/.config: using arch/$(SRCARCH)/configs/x86_64_defconfig"
	$(Q)$(conf) -s --defconfig=$(srctree)/arch/$(SRCARCH)/configs/x86_64_defconfig $(srctree)/Kconfig

# autoconf.h is replaced only when its text changes, so that taking the
# same defconfig again (make check does, every run) recompiles nothing.
$(KCONFIG_AUTOCONFIG): $(objtree)/.config $(shell find $(srctree) -name 'Kconfig*' -not -path '*/build*')
	$(Q)mkdir -p $(objtree)/include/config $(objtree)/include/generated
	$(Q)$(conf) -s --olddefconfig $(srctree)/Kconfig
	$(Q)cd $(objtree) && KCONFIG_AUTOHEADER=$(KCONFIG_AUTOHEADER).tmp srctree=$(srctree) \
		$(KCONFIG_CONF) -s --silentoldconfig $(srctree)/Kconfig
	$(Q)if cmp -s $(KCONFIG_AUTOHEADER).tmp $(KCONFIG_AUTOHEADER); then \
		rm -f $(KCONFIG_AUTOHEADER).tmp; \
	else mv -f $(KCONFIG_AUTOHEADER).tmp $(KCONFIG_AUTOHEADER); fi
	$(Q)touch $@

$(KCONFIG_AUTOHEADER): $(KCONFIG_AUTOCONFIG)

-include $(KCONFIG_AUTOCONFIG)
endif

# ---------------------------------------------------------------------------
# Saved commands. A rule that builds T runs $(call run-cmd,T,command): the
# command, then (only when it succeeded) the command's text into .T.cmd
# beside T. After the rules, $(call cmd-check,T,command) compares the
# command that would build T now with the saved one, at parse time, and
# when they differ (or nothing is saved) makes T depend on FORCE, so it is
# rebuilt whatever the timestamps say. The two calls must be given the
# same command: build the text with a function of the target (and its
# source), never with $@ or $^, which do not exist at parse time.

cmd-file = $(dir $(1)).$(notdir $(1)).cmd
# Equal strings: each is found in the other, both fenced by three bars,
# which no command line holds.
str-eq = $(and $(findstring |||$(1)|||,|||$(2)|||),$(findstring |||$(2)|||,|||$(1)|||))
cmd-check = $(if $(call str-eq,$(strip $(file <$(call cmd-file,$(1)))),$(strip $(2))),,$(eval $(1): FORCE))
# The command, then its text in single quotes for printf (' becomes '\'').
define run-cmd
$(Q)$(2)
$(Q)printf '%s\n' '$(subst ','\'',$(strip $(2)))' > $(call cmd-file,$(1))
endef

# ---------------------------------------------------------------------------
# Objects: walk the directory Makefiles.

define collect
obj-y :=
include $(srctree)/$(1)Makefile
objs += $$(addprefix $(1),$$(filter-out %/,$$(obj-y)))
subdirs-$(subst /,_,$(1)) := $$(addprefix $(1),$$(filter %/,$$(obj-y)))
endef
walk = $(foreach d,$(1),$(eval $(call collect,$(d)))$(call walk,$(subdirs-$(subst /,_,$(d)))))

objs :=
$(call walk,arch/$(SRCARCH)/ hypervisor/ mm/)
objs := $(addprefix $(objtree)/,$(objs))

CFLAGS_COMMON := -std=gnu11 -O2 -g -pipe -Wall -Wextra -Werror \
	-Wno-unused-parameter -Wmissing-prototypes -Wstrict-prototypes \
	-Wshadow -Wpointer-arith -Wvla -fno-strict-aliasing -fno-common
KCFLAGS := $(CFLAGS_COMMON) -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
	-fno-omit-frame-pointer -fno-optimize-sibling-calls -fno-asynchronous-unwind-tables -fno-builtin-printf \
	-m64 -march=x86-64 -mno-red-zone -mgeneral-regs-only -mcmodel=small \
	-nostdinc -isystem $(shell $(CC) -print-file-name=include) \
	-I$(srctree)/include -I$(srctree)/arch/$(SRCARCH)/include \
	-I$(objtree)/include -include $(KCONFIG_AUTOHEADER)
ifeq ($(findstring clang,$(shell $(CC) --version 2>/dev/null | head -n1)),clang)
KCFLAGS += -Wno-gnu-variable-sized-type-not-at-end
endif
KCFLAGS += $(EXTRA_CFLAGS)
KAFLAGS := -D__ASSEMBLY__ -m64 -g -I$(srctree)/include -I$(srctree)/arch/$(SRCARCH)/include \
	-I$(objtree)/include -include $(KCONFIG_AUTOHEADER)

# Flags of one object, by its path under the build directory. The version
# goes only into the file that prints it, so a new commit recompiles that
# file alone (move this line with the banner if it moves).
cflags-hypervisor/setup.o := -DPROXIMA_VERSION='"$(VERSION)"' -DPROXIMA_REV='"$(GIT_REV)"'

# The commands, as functions of the object and its source.
cmd-cc = $(CC) $(KCFLAGS) $(cflags-$(patsubst $(objtree)/%,%,$(1))) -MMD -MP -c -o $(1) $(2)
cmd-as = $(CC) $(KAFLAGS) -MMD -MP -c -o $(1) $(2)
# An object's source: its .c, or else its .S (the order of the rules below).
obj-src = $(firstword $(wildcard $(patsubst $(objtree)/%.o,$(srctree)/%.c,$(1)) \
	$(patsubst $(objtree)/%.o,$(srctree)/%.S,$(1))))
obj-cmd = $(call cmd-$(if $(filter %.S,$(call obj-src,$(1))),as,cc),$(1),$(call obj-src,$(1)))

$(objtree)/%.o: $(srctree)/%.c $(KCONFIG_AUTOHEADER)
	@mkdir -p $(dir $@)
	$(quiet) CC "$(patsubst $(objtree)/%,%,$@)"
	$(call run-cmd,$@,$(call cmd-cc,$@,$<))

$(objtree)/%.o: $(srctree)/%.S $(KCONFIG_AUTOHEADER)
	@mkdir -p $(dir $@)
	$(quiet) AS "$(patsubst $(objtree)/%,%,$@)"
	$(call run-cmd,$@,$(call cmd-as,$@,$<))

$(foreach o,$(objs),$(call cmd-check,$(o),$(call obj-cmd,$(o))))
-include $(objs:.o=.d)

# The test guest; adds its image (testguest_blob.o) to objs.
include $(srctree)/tests/guests/Makefile

# ---------------------------------------------------------------------------
# Link: pass 1 without symbols, then again with the text symbol table that
# stack traces print. The table sits after all code, so no code moves.

LDS := $(srctree)/arch/$(SRCARCH)/proxima.lds
LDFLAGS := -m elf_x86_64 -nostdlib -static -z max-page-size=0x1000 -z noexecstack \
	--no-warn-rwx-segments -T $(LDS)

$(objtree)/.tmp_syms0.S:
	@mkdir -p $(dir $@)
	$(Q)printf '' | sh $(srctree)/scripts/gen-symtab.sh > $@

# $(call cmd-ld,output,symbol table object)
cmd-ld = $(LD) $(LDFLAGS) -o $(1) $(objs) $(2)
cmd-objcopy = $(OBJCOPY) --strip-debug -O elf32-i386 $(2) $(1)

$(objtree)/.tmp_proxima1: $(objs) $(objtree)/.tmp_syms0.o $(LDS)
	$(quiet) LD "$(patsubst $(objtree)/%,%,$@)"
	$(call run-cmd,$@,$(call cmd-ld,$@,$(objtree)/.tmp_syms0.o))

$(objtree)/.tmp_syms1.S: $(objtree)/.tmp_proxima1 $(srctree)/scripts/gen-symtab.sh
	$(Q)$(NM) -n $< | sh $(srctree)/scripts/gen-symtab.sh > $@

$(objtree)/proxima-syms: $(objs) $(objtree)/.tmp_syms1.o $(LDS)
	$(quiet) LD "$(patsubst $(objtree)/%,%,$@)"
	$(call run-cmd,$@,$(call cmd-ld,$@,$(objtree)/.tmp_syms1.o))
	$(Q)$(NM) -n $(objtree)/.tmp_proxima1 | grep -i ' t ' > $(objtree)/.tmp_text1
	$(Q)$(NM) -n $@ | grep -i ' t ' > $(objtree)/.tmp_text2
	$(Q)cmp -s $(objtree)/.tmp_text1 $(objtree)/.tmp_text2 || \
		{ echo "symbol table moved code between link passes" >&2; rm -f $@; exit 1; }

$(objtree)/.tmp_syms%.o: $(objtree)/.tmp_syms%.S
	$(call run-cmd,$@,$(call cmd-as,$@,$<))

$(objtree)/proxima: $(objtree)/proxima-syms
	$(quiet) OBJCOPY "$(patsubst $(objtree)/%,%,$@) (ELF32, multiboot v1 + v2)"
	$(call run-cmd,$@,$(call cmd-objcopy,$@,$<))

$(foreach n,0 1,$(call cmd-check,$(objtree)/.tmp_syms$(n).o,$(call cmd-as,$(objtree)/.tmp_syms$(n).o,$(objtree)/.tmp_syms$(n).S)))
$(call cmd-check,$(objtree)/.tmp_proxima1,$(call cmd-ld,$(objtree)/.tmp_proxima1,$(objtree)/.tmp_syms0.o))
$(call cmd-check,$(objtree)/proxima-syms,$(call cmd-ld,$(objtree)/proxima-syms,$(objtree)/.tmp_syms1.o))
$(call cmd-check,$(objtree)/proxima,$(call cmd-objcopy,$(objtree)/proxima,$(objtree)/proxima-syms))

# ---------------------------------------------------------------------------
# Boot media and running

.PHONY: iso run run-cmdline deps FORCE
# make iso GRUB_CMDLINE="..." sets the command line GRUB passes; rebuilt
# every time (it takes a fraction of a second) so a new line always lands.
GRUB_CMDLINE ?= $(CMDLINE)
iso: $(objtree)/proxima.iso
$(objtree)/proxima.iso: $(objtree)/proxima $(srctree)/scripts/mkiso.sh FORCE
	$(quiet) ISO "$(patsubst $(objtree)/%,%,$@)"
	$(Q)sh $(srctree)/scripts/mkiso.sh $< $@ "$(GRUB_CMDLINE)"

deps:
	$(Q)$(srctree)/scripts/install-deps

# make run [TOPOLOGY=name] [CMDLINE="..."] [ISO=1]
TOPOLOGY ?= default
# The demo domains make run starts (RUN_DOMAINS= for none): one pinned to
# node 1 that stays up (halted) for 'q'; one with two virtual NUMA nodes
# placed by Proxima, the control domain, that reads its ACPI tables and the
# host's topology, grows by 64 MiB, runs its memory test and powers off.
RUN_DOMAINS ?= domain=name=web,mem=128M,vcpus=2,node=1,policy=strict,args=hlt \
	domain=name=batch,vnodes=2,mem=256M,maxmem=320M,vcpus=4,control=1,args=reserve=64
# And a third: Debian's stock kernel (make linux-guest fetches it the first
# time) on 2 virtual nodes on nodes 1 and 3, which prints its NUMA layout
# and powers off. RUN_LINUX=0 leaves it out; so does ISO=1.
RUN_LINUX ?= 1
run-linux-on = $(if $(ISO),,$(filter 1,$(RUN_LINUX)))
run-append = $(strip $(RUN_DOMAINS) $(if $(run-linux-on),$(linux-domain)) $(CMDLINE))

run: all $(if $(ISO),iso) $(if $(run-linux-on),linux-guest)
	$(Q)$(srctree)/scripts/qemu-run --topology $(TOPOLOGY) \
		$(if $(ISO),--iso $(objtree)/proxima.iso,--kernel $(objtree)/proxima) \
		--append '$(run-append)' $(if $(run-linux-on),-- -initrd $(linux-modules))

# The command line make run passes (for the tests of the README).
run-cmdline:
	@echo '$(run-append)'

# make linux-guest: Debian's stock kernel (the package behind
# linux-image-amd64) fetched with apt into $(objtree)/linux-guest, never
# into the tree (scripts/fetch-linux-guest), and the initramfs built here
# around tests/linux/init/init.c (scripts/mkinitramfs). make run-linux
# boots it alone as a domain of 2 virtual nodes on physical nodes 1 and 3
# with LINUX_ARGS as its command line (LINUX_DOMAIN replaces the domain's
# shape); make run boots it beside the demo domains. See
# Documentation/linux-guest.md.
.PHONY: linux-guest run-linux
LINUX_GUEST := $(objtree)/linux-guest
LINUX_ARGS ?= console=ttyS0 earlyprintk=serial nokaslr printk.devkmsg=on
LINUX_DOMAIN ?= vnodes=2,vcpus=2,nodes=1+3,mem=256M
linux-guest:
	$(Q)$(srctree)/scripts/fetch-linux-guest $(LINUX_GUEST)
	$(Q)$(srctree)/scripts/mkinitramfs $(srctree) $(LINUX_GUEST)

# make check-linux: the stock Linux guest's boot tests (tests/linux/), on
# the image of make check's configuration (build/check) and the kernel and
# initramfs of make linux-guest, the guest's console shown as it runs.
# make check runs them too (scripts/check.py).
.PHONY: check-linux
check-linux:
	$(Q)$(srctree)/scripts/install-deps --quiet
	$(Q)$(MAKE) --no-print-directory O=$(srctree)/build/check debug_defconfig >/dev/null
	$(Q)$(MAKE) --no-print-directory O=$(srctree)/build/check all linux-guest
	$(Q)cd $(srctree)/tests && PROXIMA_BUILD=$(srctree)/build/check PROXIMA_CONSOLE_ECHO=1 \
		$(PYTHON) -m pytest -v -s -p no:cacheprovider linux/

linux-domain = domain=name=linux,$(LINUX_DOMAIN),image=0,initrd=1,args="$(LINUX_ARGS)"
linux-modules = $(LINUX_GUEST)/vmlinuz,$(LINUX_GUEST)/initramfs.cpio
run-linux: all linux-guest
	$(Q)$(srctree)/scripts/qemu-run --topology $(TOPOLOGY) --kernel $(objtree)/proxima \
		--append '$(linux-domain) $(CMDLINE)' -- -initrd $(linux-modules)

# ---------------------------------------------------------------------------
# Tests

HOSTED_OUT := $(objtree)/hosted
include $(srctree)/tests/hosted/Makefile
include $(srctree)/bench/Makefile
include $(srctree)/tests/fuzz/Makefile

# make check QUICK=1: the edit-compile-test loop (see scripts/check.py).
.PHONY: check
check:
	$(Q)$(PYTHON) $(srctree)/scripts/check.py --srctree $(srctree) --out $(srctree)/build/check \
		$(if $(QUICK),--quick)

# make analyze: cppcheck and clang's static analyzer over the hypervisor,
# zero findings allowed (scripts/analyze.py); make check runs it too.
.PHONY: analyze
analyze:
	$(Q)$(PYTHON) $(srctree)/scripts/analyze.py --srctree $(srctree) --out $(objtree)/analyze

# make coccicheck: the project's Coccinelle rules (scripts/coccinelle/),
# each with its self-test, over arch/, hypervisor/ and mm/ (no finding
# allowed; scripts/coccicheck.py); make check runs it too.
.PHONY: coccicheck
coccicheck:
	$(Q)$(PYTHON) $(srctree)/scripts/coccicheck.py --srctree $(srctree)

# Every C source and header git knows of, as .clang-format says, with
# clang-format 14 (scripts/format.py): format rewrites them in place,
# format-check lists the ones that differ and fails.
.PHONY: format format-check
format:
	$(Q)$(PYTHON) $(srctree)/scripts/format.py --srctree $(srctree)

format-check:
	$(Q)$(PYTHON) $(srctree)/scripts/format.py --srctree $(srctree) --check

# ---------------------------------------------------------------------------

.PHONY: clean distclean mrproper help
clean:
	$(Q)rm -rf $(objtree)/arch $(objtree)/hypervisor $(objtree)/mm $(objtree)/hosted \
		$(objtree)/.tmp_* $(objtree)/proxima $(objtree)/proxima-syms $(objtree)/proxima.iso

distclean mrproper:
	$(Q)rm -rf $(objtree)

help:
	@echo 'Proxima build targets (all outputs go under O=dir, default "build"):'
	@echo '  all (default)      - build the image $(O)/proxima (ELF32, multiboot v1 and v2)'
	@echo '  iso                - GRUB multiboot2 ISO $(O)/proxima.iso'
	@echo '  run                - build, then boot in QEMU (TOPOLOGY=, CMDLINE=, ISO=1, RUN_LINUX=0)'
	@echo '  linux-guest        - fetch Debian'"'"'s kernel (apt) and build the initramfs into $(O)/linux-guest'
	@echo '  run-linux          - boot the stock Linux guest alone (LINUX_DOMAIN=, LINUX_ARGS=)'
	@echo '  check              - hosted unit tests, QEMU boot tests, the Linux guest (QUICK=1: a short run)'
	@echo '  check-linux        - the stock Linux guest'"'"'s tests alone, its console shown'
	@echo '  format             - rewrite every C file as .clang-format says (clang-format 14)'
	@echo '  format-check       - list the C files that differ from .clang-format; fail if any'
	@echo '  analyze            - cppcheck and clang scan-build over the hypervisor: no findings'
	@echo '  coccicheck         - the Coccinelle rules of scripts/coccinelle/: no findings'
	@echo '  fuzz               - the libFuzzer targets of tests/fuzz/, each FUZZ_SECONDS (60)'
	@echo '  fuzz-coverage      - line coverage of each fuzz target over its corpus (llvm-cov)'
	@echo '  bench              - allocators vs glibc/jemalloc/mimalloc, sweeps, baselines (QUICK=1)'
	@echo '  deps               - install the Debian packages the build and tests need'
	@echo '  clean / distclean  - remove build outputs / the whole build directory'
	@echo 'Configuration:'
	@echo '  defconfig          - default configuration (arch/$(SRCARCH)/configs/x86_64_defconfig)'
	@echo '  <name>_defconfig   - a configuration from arch/$(SRCARCH)/configs/:'
	@ls $(srctree)/arch/$(SRCARCH)/configs | sed 's/^/                       /'
	@echo '  menuconfig/nconfig - edit the configuration interactively'
	@echo '  olddefconfig       - update .config, new options take their defaults'
	@echo '  savedefconfig      - write a minimal $(O)/defconfig'
	@echo 'Variables: O=dir  CC=gcc|clang  V=1 (show commands)  EXTRA_CFLAGS=... (every object)'
	@echo '  (a change of CC, flags or configuration rebuilds in place: see $(O)/**/.*.cmd)'
	@echo 'Topologies for make run TOPOLOGY=: see scripts/qemu-run --list'
