package pickle

// The opcodes this package reads or writes (names as in CPython's
// Lib/pickle.py and pickletools).
const (
	opMark            = '('
	opStop            = '.'
	opPop             = '0'
	opPopMark         = '1'
	opBinInt          = 'J'
	opBinInt1         = 'K'
	opBinInt2         = 'M'
	opNone            = 'N'
	opBinUnicode      = 'X'
	opAppend          = 'a'
	opEmptyDict       = '}'
	opAppends         = 'e'
	opBinGet          = 'h'
	opLongBinGet      = 'j'
	opEmptyList       = ']'
	opBinPut          = 'q'
	opLongBinPut      = 'r'
	opSetItem         = 's'
	opTuple           = 't'
	opEmptyTuple      = ')'
	opSetItems        = 'u'
	opBinFloat        = 'G'
	opProto           = 0x80
	opTuple1          = 0x85
	opTuple2          = 0x86
	opTuple3          = 0x87
	opNewTrue         = 0x88
	opNewFalse        = 0x89
	opLong1           = 0x8a
	opLong4           = 0x8b
	opShortBinUnicode = 0x8c
	opBinUnicode8     = 0x8d
	opMemoize         = 0x94
	opFrame           = 0x95
)

// refused names the opcodes that exist in some protocol but are never
// accepted, so that the error says what the pickle tried to do.
var refused = map[byte]string{
	'c':  "GLOBAL (names a class or function)",
	0x93: "STACK_GLOBAL (names a class or function)",
	'R':  "REDUCE (calls a function)",
	'b':  "BUILD (sets an object's state)",
	'i':  "INST (builds an object)",
	'o':  "OBJ (builds an object)",
	0x81: "NEWOBJ (builds an object)",
	0x92: "NEWOBJ_EX (builds an object)",
	'P':  "PERSID (persistent reference)",
	'Q':  "BINPERSID (persistent reference)",
	0x82: "EXT1 (extension registry)",
	0x83: "EXT2 (extension registry)",
	0x84: "EXT4 (extension registry)",
	'B':  "BINBYTES (bytes)",
	'C':  "SHORT_BINBYTES (bytes)",
	0x8e: "BINBYTES8 (bytes)",
	0x96: "BYTEARRAY8 (bytearray)",
	0x97: "NEXT_BUFFER (out-of-band buffer)",
	0x98: "READONLY_BUFFER (out-of-band buffer)",
	0x8f: "EMPTY_SET (set)",
	0x90: "ADDITEMS (set)",
	0x91: "FROZENSET (frozenset)",
	'S':  "STRING (protocol 0 str)",
	'T':  "BINSTRING (Python 2 str)",
	'U':  "SHORT_BINSTRING (Python 2 str)",
	'V':  "UNICODE (protocol 0 str)",
	'F':  "FLOAT (protocol 0 float)",
	'I':  "INT (protocol 0 int)",
	'L':  "LONG (protocol 0 int)",
	'p':  "PUT (protocol 0 memo)",
	'g':  "GET (protocol 0 memo)",
	'l':  "LIST (protocol 0 list)",
	'd':  "DICT (protocol 0 dict)",
	'2':  "DUP",
}
