/*
 * The test guest's ELF image, carried in Proxima's read-only data as
 * [testguest_image_start, testguest_image_end). TESTGUEST_ELF, the path of
 * the image, comes from tests/guests/Makefile.
 */
	.section .rodata, "a"
	.balign 16
	.globl testguest_image_start, testguest_image_end
	.type testguest_image_start, @object
	.type testguest_image_end, @object
testguest_image_start:
	.incbin TESTGUEST_ELF
testguest_image_end:
	.size testguest_image_start, testguest_image_end - testguest_image_start
