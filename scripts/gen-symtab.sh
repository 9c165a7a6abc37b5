#!/bin/sh
# Turn `nm -n` output of the image into the assembly for the stack-trace
# symbol table (hypervisor/symbols.c reads it). Only text symbols are
# listed; local labels (.L*) and assembler temporaries are left out.
awk 'BEGIN { n = 0 }
NF == 3 && $2 ~ /^[tTwW]$/ && $3 !~ /^\./ && $3 !~ /^__(text|rodata|data|bss|image)_(start|end)$/ {
	addr[n] = $1; name[n] = $3; n++
}
END {
	print "\t.section .hvsymtab, \"a\""
	print "\t.balign 8"
	print "\t.globl symtab_count, symtab_addrs, symtab_name_offs, symtab_names"
	print "symtab_count:"
	printf "\t.quad %d\n", n
	print "symtab_addrs:"
	for (i = 0; i < n; i++)
		printf "\t.quad 0x%s\n", addr[i]
	print "symtab_name_offs:"
	off = 0
	for (i = 0; i < n; i++) {
		printf "\t.long %d\n", off
		off += length(name[i]) + 1
	}
	print "symtab_names:"
	for (i = 0; i < n; i++)
		printf "\t.asciz \"%s\"\n", name[i]
	if (n == 0)
		print "\t.byte 0"
}'
