#!/bin/sh
# Build a GRUB (BIOS) ISO that boots a Proxima image with multiboot2.
# Usage: mkiso.sh IMAGE ISO [COMMAND-LINE]
# GRUB talks on the first serial port and the screen, waits no time, and
# passes COMMAND-LINE to the hypervisor.
set -eu
image=$1
iso=$2
cmdline=${3:-}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The log lives outside the tree that becomes the ISO.
mkdir -p "$tmp/iso/boot/grub"
cp "$image" "$tmp/iso/boot/proxima"
cat > "$tmp/iso/boot/grub/grub.cfg" <<CFG
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
set timeout=0
menuentry "Proxima" {
	multiboot2 /boot/proxima $cmdline
	boot
}
CFG
if ! grub-mkrescue -o "$iso" "$tmp/iso" >"$tmp/log" 2>&1; then
	cat "$tmp/log" >&2
	exit 1
fi
