// Package pickle reads and writes Python pickles of JSON-like values: the
// dicts, lists, strings, integers, floats, booleans and None that a Django
// session holds when it is kept in a cache (Django pickles the session dict
// into memcached and Redis, see package djangocache).
//
// It is deliberately not a general pickle implementation. Decode accepts
// the opcodes of protocols 2 to 5 that CPython's pickler writes for those
// types (and tuples, read as lists), and refuses every opcode that would
// name a class or function, call it or build an object (GLOBAL,
// STACK_GLOBAL, REDUCE, BUILD, INST, OBJ, NEWOBJ, NEWOBJ_EX, PERSID,
// BINPERSID, EXT1/2/4), every other type (bytes, bytearray, sets, buffers,
// protocol 0/1 text opcodes) and every unknown opcode, with an error that
// names it. Nothing in the input is ever executed or looked up: the worst a
// hostile pickle can do is fail to decode. Work and memory are bounded by
// Limits: the input size, the nesting depth, the number of values (counted
// after shared references are expanded, so a pickle that refers to one
// list from many places cannot blow up), the size of integers, and every
// length in the input is checked against the bytes that remain before
// anything is allocated for it.
//
// Encode writes what CPython's pickle.dumps(value, protocol) writes for the
// same value when no object appears twice in it (Python writes a back
// reference, BINGET, for an object it has already written, which depends
// on object identity, not on the value; Encode never does). Keys of dicts
// are written in sorted order, since Go maps have none.
//
// Decoded values are nil, bool, int64, *big.Int (integers outside int64),
// float64, string, []any and map[string]any; Encode takes the same types,
// plus int and json.Number.
package pickle
