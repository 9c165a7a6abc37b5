/*
 * The two-node machine's SLIT (two-node-srat.dsl): 10 to itself, 21
 * across, in iasl's data table language.
 */
[0004]                          Signature : "SLIT"
[0004]                       Table Length : 00000000
[0001]                           Revision : 01
[0001]                           Checksum : 00
[0006]                             Oem ID : "PROXIM"
[0008]                       Oem Table ID : "TWONODE "
[0004]                       Oem Revision : 00000001
[0004]                    Asl Compiler ID : "INTL"
[0004]              Asl Compiler Revision : 00000000
[0008]                         Localities : 0000000000000002
[0002]                       Locality   0 : 0A 15
[0002]                       Locality   1 : 15 0A
