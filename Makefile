# Proxima top-level Makefile.
#
# Kbuild-style but non-recursive: every directory has a Makefile that lists
# its objects in obj-y / obj-$(CONFIG_X) and its subdirectories as "dir/".
# All objects land under the build directory (O=, default "build"), so one
# source tree serves any number of configurations and compilers.
#
#   make [O=dir] [CC=clang] [V=1]   build the image (defconfig if no .config)
#   make help                        list every target

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
no-config-targets := help clean distclean mrproper defconfig %_defconfig \
	menuconfig nconfig olddefconfig oldconfig savedefconfig deps \
	check bench
config-goals := $(filter-out $(no-config-targets),$(if $(MAKECMDGOALS),$(MAKECMDGOALS),all))
config-goals := $(foreach g,$(config-goals),$(if $(filter %_defconfig,$(g)),,$(g)))

.PHONY: all
all: $(objtree)/proxima

# Goals that a fresh machine can be asked for first install what they need
# before anything else runs (kconfig-conf is needed to read the config).
ifneq ($(filter run check menuconfig nconfig iso,$(MAKECMDGOALS)),)
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

$(KCONFIG_AUTOCONFIG): $(objtree)/.config $(shell find $(srctree) -name 'Kconfig*' -not -path '*/build*')
	$(Q)mkdir -p $(objtree)/include/config $(objtree)/include/generated
	$(Q)$(conf) -s --olddefconfig $(srctree)/Kconfig
	$(Q)$(conf) -s --silentoldconfig $(srctree)/Kconfig
	$(Q)touch $@

$(KCONFIG_AUTOHEADER): $(KCONFIG_AUTOCONFIG)

-include $(KCONFIG_AUTOCONFIG)
endif

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
	-I$(objtree)/include -include $(KCONFIG_AUTOHEADER) \
	-DPROXIMA_VERSION='"$(VERSION)"' -DPROXIMA_REV='"$(GIT_REV)"'
ifeq ($(findstring clang,$(shell $(CC) --version 2>/dev/null | head -n1)),clang)
KCFLAGS += -Wno-gnu-variable-sized-type-not-at-end
endif
KAFLAGS := -D__ASSEMBLY__ -m64 -g -I$(srctree)/include -I$(srctree)/arch/$(SRCARCH)/include \
	-I$(objtree)/include -include $(KCONFIG_AUTOHEADER)

$(objtree)/%.o: $(srctree)/%.c $(KCONFIG_AUTOHEADER)
	@mkdir -p $(dir $@)
	$(quiet) CC "$(patsubst $(objtree)/%,%,$@)"
	$(Q)$(CC) $(KCFLAGS) -MMD -MP -c -o $@ $<

$(objtree)/%.o: $(srctree)/%.S $(KCONFIG_AUTOHEADER)
	@mkdir -p $(dir $@)
	$(quiet) AS "$(patsubst $(objtree)/%,%,$@)"
	$(Q)$(CC) $(KAFLAGS) -MMD -MP -c -o $@ $<

-include $(objs:.o=.d)

# ---------------------------------------------------------------------------
# Link: pass 1 without symbols, then again with the text symbol table that
# stack traces print. The table sits after all code, so no code moves.

LDS := $(srctree)/arch/$(SRCARCH)/proxima.lds
LDFLAGS := -m elf_x86_64 -nostdlib -static -z max-page-size=0x1000 -z noexecstack \
	--no-warn-rwx-segments -T $(LDS)

$(objtree)/.tmp_syms0.S:
	@mkdir -p $(dir $@)
	$(Q)printf '' | sh $(srctree)/scripts/gen-symtab.sh > $@

$(objtree)/.tmp_proxima1: $(objs) $(objtree)/.tmp_syms0.o $(LDS)
	$(quiet) LD "$(patsubst $(objtree)/%,%,$@)"
	$(Q)$(LD) $(LDFLAGS) -o $@ $(objs) $(objtree)/.tmp_syms0.o

$(objtree)/.tmp_syms1.S: $(objtree)/.tmp_proxima1 $(srctree)/scripts/gen-symtab.sh
	$(Q)$(NM) -n $< | sh $(srctree)/scripts/gen-symtab.sh > $@

$(objtree)/proxima-syms: $(objs) $(objtree)/.tmp_syms1.o $(LDS)
	$(quiet) LD "$(patsubst $(objtree)/%,%,$@)"
	$(Q)$(LD) $(LDFLAGS) -o $@ $(objs) $(objtree)/.tmp_syms1.o
	$(Q)$(NM) -n $(objtree)/.tmp_proxima1 | grep -i ' t ' > $(objtree)/.tmp_text1
	$(Q)$(NM) -n $@ | grep -i ' t ' > $(objtree)/.tmp_text2
	$(Q)cmp -s $(objtree)/.tmp_text1 $(objtree)/.tmp_text2 || \
		{ echo "symbol table moved code between link passes" >&2; rm -f $@; exit 1; }

$(objtree)/.tmp_syms%.o: $(objtree)/.tmp_syms%.S
	$(Q)$(CC) $(KAFLAGS) -c -o $@ $<

$(objtree)/proxima: $(objtree)/proxima-syms
	$(quiet) OBJCOPY "$(patsubst $(objtree)/%,%,$@) (ELF32, multiboot v1 + v2)"
	$(Q)$(OBJCOPY) --strip-debug -O elf32-i386 $< $@

# ---------------------------------------------------------------------------
# Boot media and running

.PHONY: iso run deps FORCE
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
run: all $(if $(ISO),iso)
	$(Q)$(srctree)/scripts/qemu-run --topology $(TOPOLOGY) \
		$(if $(ISO),--iso $(objtree)/proxima.iso,--kernel $(objtree)/proxima) \
		--append "$(CMDLINE)"

# ---------------------------------------------------------------------------
# Tests

HOSTED_OUT := $(objtree)/hosted
include $(srctree)/tests/hosted/Makefile
include $(srctree)/bench/Makefile
include $(srctree)/tests/fuzz/Makefile

.PHONY: check
check:
	$(Q)$(PYTHON) $(srctree)/scripts/check.py --srctree $(srctree) --out $(srctree)/build/check

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
	@echo '  run                - build, then boot in QEMU (TOPOLOGY=, CMDLINE=, ISO=1)'
	@echo '  check              - hosted unit tests and QEMU boot tests'
	@echo '  fuzz               - libFuzzer over firmware tables to topology (FUZZ_SECONDS=60)'
	@echo '  bench              - page and slab allocators against classic baselines, as ratios'
	@echo '  deps               - install the Debian packages the build and tests need'
	@echo '  clean / distclean  - remove build outputs / the whole build directory'
	@echo 'Configuration:'
	@echo '  defconfig          - default configuration (arch/$(SRCARCH)/configs/x86_64_defconfig)'
	@echo '  <name>_defconfig   - a configuration from arch/$(SRCARCH)/configs/:'
	@ls $(srctree)/arch/$(SRCARCH)/configs | sed 's/^/                       /'
	@echo '  menuconfig/nconfig - edit the configuration interactively'
	@echo '  olddefconfig       - update .config, new options take their defaults'
	@echo '  savedefconfig      - write a minimal $(O)/defconfig'
	@echo 'Variables: O=dir  CC=gcc|clang  V=1 (show commands)'
	@echo 'Topologies for make run TOPOLOGY=: see scripts/qemu-run --list'
