package pickle

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/big"
	"unicode/utf8"
)

// ErrRefused is wrapped by every Decode error about a pickle that is
// well-formed but holds something this package does not accept (an object,
// a class reference, bytes, a set, a non-string dict key, a recursive
// structure...). Other errors are about malformed or oversized input.
var ErrRefused = errors.New("pickle: refused")

// Limits bound the work and memory of Decode. A zero field takes its
// default (DefaultLimits).
type Limits struct {
	// MaxBytes is the largest input accepted.
	MaxBytes int
	// MaxDepth is how deeply lists and dicts may nest (the top value is at
	// depth 1).
	MaxDepth int
	// MaxValues bounds the number of values in the decoded result, each
	// shared reference counted again where it appears, and the number of
	// values, MARKs and memo entries the decoder keeps along the way.
	MaxValues int
	// MaxIntBytes bounds the size of one integer (LONG1/LONG4), in bytes
	// of its two's complement form.
	MaxIntBytes int
}

// DefaultLimits are the limits Decode applies: 8 MiB of input, 200 levels
// of nesting, 2^18 (262144) values and integers of up to 1024 bytes (about
// 2466 decimal digits). Decoding then holds at most a few tens of MiB.
var DefaultLimits = Limits{MaxBytes: 8 << 20, MaxDepth: 200, MaxValues: 1 << 18, MaxIntBytes: 1024}

// Decode decodes one pickle, within DefaultLimits.
func Decode(data []byte) (any, error) {
	return DefaultLimits.Decode(data)
}

// Decode decodes one pickle within the limits l. The pickle must start
// with PROTO 2 to 5, end with STOP and hold exactly one value; trailing
// bytes are an error.
func (l Limits) Decode(data []byte) (any, error) {
	l = l.withDefaults()
	if len(data) > l.MaxBytes {
		return nil, fmt.Errorf("pickle: decode: %d bytes is more than the limit of %d", len(data), l.MaxBytes)
	}
	d := decoder{data: data, lim: l, memo: map[uint32]any{}}
	v, err := d.run()
	if err == nil {
		v, err = d.finish(v, 1, map[any]bool{})
	}
	switch {
	case err == nil:
		return v, nil
	case errors.Is(err, ErrRefused):
		return nil, err // "pickle: refused: ..."
	}
	return nil, fmt.Errorf("pickle: decode: %w", err)
}

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultLimits.MaxBytes
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultLimits.MaxDepth
	}
	if l.MaxValues <= 0 {
		l.MaxValues = DefaultLimits.MaxValues
	}
	if l.MaxIntBytes <= 0 {
		l.MaxIntBytes = DefaultLimits.MaxIntBytes
	}
	return l
}

// Containers while decoding. Lists and dicts are pointers, since the memo
// may hold them while later opcodes still add to them; a tuple is built
// whole and never changes.
type (
	plist  struct{ items []any }
	pdict  struct{ m map[string]any }
	ptuple struct{ items []any }
)

// decoder runs the pickle machine over data.
type decoder struct {
	data     []byte
	pos      int
	frameEnd int // end of the current frame, or 0 outside frames
	lim      Limits
	stack    []any
	marks    []int // stack lengths at each MARK
	memo     map[uint32]any
	built    int // values pushed so far (MaxValues)
	expanded int // values in the result so far (MaxValues)
}

var errTruncated = errors.New("pickle truncated")

// read returns the next n bytes, which must not run past the end of the
// current frame.
func (d *decoder) read(n int) ([]byte, error) {
	if n < 0 || n > len(d.data)-d.pos {
		return nil, errTruncated
	}
	if d.frameEnd > 0 && d.pos+n > d.frameEnd {
		return nil, fmt.Errorf("an opcode runs past the end of its frame at offset %d", d.frameEnd)
	}
	b := d.data[d.pos : d.pos+n]
	d.pos += n
	if d.pos == d.frameEnd {
		d.frameEnd = 0
	}
	return b, nil
}

// fence is the stack length below which the current MARK protects.
func (d *decoder) fence() int {
	if len(d.marks) == 0 {
		return 0
	}
	return d.marks[len(d.marks)-1]
}

// grow counts one more thing the decoder keeps (a value pushed, a MARK,
// a memo entry) against MaxValues, so that memory stays proportional to
// the limit whatever the input repeats.
func (d *decoder) grow() error {
	d.built++
	if d.built > d.lim.MaxValues {
		return fmt.Errorf("more than %d values", d.lim.MaxValues)
	}
	return nil
}

func (d *decoder) push(v any) error {
	if err := d.grow(); err != nil {
		return err
	}
	d.stack = append(d.stack, v)
	return nil
}

// top returns the value on top of the stack, above the fence.
func (d *decoder) top() (any, error) {
	if len(d.stack) <= d.fence() {
		return nil, fmt.Errorf("stack underflow at offset %d", d.pos-1)
	}
	return d.stack[len(d.stack)-1], nil
}

// pop removes n values above the fence and returns them.
func (d *decoder) pop(n int) ([]any, error) {
	if len(d.stack)-d.fence() < n {
		return nil, fmt.Errorf("stack underflow at offset %d", d.pos-1)
	}
	vals := d.stack[len(d.stack)-n:]
	d.stack = d.stack[:len(d.stack)-n]
	return vals, nil
}

// popMark removes the values pushed since the last MARK, and the MARK.
func (d *decoder) popMark() ([]any, error) {
	if len(d.marks) == 0 {
		return nil, fmt.Errorf("no MARK before the opcode at offset %d", d.pos-1)
	}
	m := d.marks[len(d.marks)-1]
	d.marks = d.marks[:len(d.marks)-1]
	vals := d.stack[m:]
	d.stack = d.stack[:m]
	return vals, nil
}

func (d *decoder) run() (any, error) {
	op, err := d.read(1)
	if err != nil {
		return nil, err
	}
	if op[0] != opProto {
		return nil, fmt.Errorf("%w: no PROTO opcode at the start (protocols 0 and 1 are not supported)", ErrRefused)
	}
	p, err := d.read(1)
	if err != nil {
		return nil, err
	}
	if p[0] < 2 || p[0] > 5 {
		return nil, fmt.Errorf("%w: protocol %d (2 to 5 are supported)", ErrRefused, p[0])
	}
	for {
		b, err := d.read(1)
		if err != nil {
			return nil, err
		}
		op := b[0]
		if op == opStop {
			if len(d.marks) != 0 || len(d.stack) != 1 {
				return nil, fmt.Errorf("STOP with %d values and %d marks on the stack", len(d.stack), len(d.marks))
			}
			if d.pos != len(d.data) {
				return nil, fmt.Errorf("%d bytes after STOP", len(d.data)-d.pos)
			}
			return d.stack[0], nil
		}
		if err := d.step(op); err != nil {
			return nil, err
		}
	}
}

// step runs one opcode other than STOP.
func (d *decoder) step(op byte) error {
	switch op {
	case opFrame:
		b, err := d.read(8)
		if err != nil {
			return err
		}
		if d.frameEnd != 0 {
			return errors.New("FRAME inside a frame")
		}
		n := binary.LittleEndian.Uint64(b)
		if n > uint64(len(d.data)-d.pos) {
			return fmt.Errorf("FRAME of %d bytes with %d left: %w", n, len(d.data)-d.pos, errTruncated)
		}
		if n > 0 {
			d.frameEnd = d.pos + int(n)
		}
		return nil
	case opProto:
		return errors.New("a second PROTO opcode")
	case opNone:
		return d.push(nil)
	case opNewTrue:
		return d.push(true)
	case opNewFalse:
		return d.push(false)
	case opBinInt1:
		b, err := d.read(1)
		if err != nil {
			return err
		}
		return d.push(int64(b[0]))
	case opBinInt2:
		b, err := d.read(2)
		if err != nil {
			return err
		}
		return d.push(int64(binary.LittleEndian.Uint16(b)))
	case opBinInt:
		b, err := d.read(4)
		if err != nil {
			return err
		}
		return d.push(int64(int32(binary.LittleEndian.Uint32(b))))
	case opLong1, opLong4:
		return d.long(op)
	case opBinFloat:
		b, err := d.read(8)
		if err != nil {
			return err
		}
		f := math.Float64frombits(binary.BigEndian.Uint64(b))
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("%w: float %v (JSON has no such number)", ErrRefused, f)
		}
		return d.push(f)
	case opShortBinUnicode, opBinUnicode, opBinUnicode8:
		return d.unicode(op)
	case opEmptyList:
		return d.push(&plist{})
	case opEmptyDict:
		return d.push(&pdict{m: map[string]any{}})
	case opEmptyTuple:
		return d.push(&ptuple{})
	case opTuple1, opTuple2, opTuple3:
		vals, err := d.pop(int(op-opTuple1) + 1)
		if err != nil {
			return err
		}
		return d.push(&ptuple{items: append([]any(nil), vals...)})
	case opMark:
		if err := d.grow(); err != nil {
			return err
		}
		d.marks = append(d.marks, len(d.stack))
		return nil
	case opTuple:
		vals, err := d.popMark()
		if err != nil {
			return err
		}
		return d.push(&ptuple{items: append([]any(nil), vals...)})
	case opAppend:
		vals, err := d.pop(1)
		if err != nil {
			return err
		}
		return d.appendTo(vals)
	case opAppends:
		vals, err := d.popMark()
		if err != nil {
			return err
		}
		return d.appendTo(vals)
	case opSetItem:
		vals, err := d.pop(2)
		if err != nil {
			return err
		}
		return d.setItems(vals)
	case opSetItems:
		vals, err := d.popMark()
		if err != nil {
			return err
		}
		return d.setItems(vals)
	case opPop:
		if len(d.stack) > d.fence() {
			d.stack = d.stack[:len(d.stack)-1]
			return nil
		}
		if len(d.marks) > 0 {
			d.marks = d.marks[:len(d.marks)-1]
			return nil
		}
		return fmt.Errorf("stack underflow at offset %d", d.pos-1)
	case opPopMark:
		_, err := d.popMark()
		return err
	case opMemoize:
		return d.put(uint32(len(d.memo)))
	case opBinPut:
		b, err := d.read(1)
		if err != nil {
			return err
		}
		return d.put(uint32(b[0]))
	case opLongBinPut:
		b, err := d.read(4)
		if err != nil {
			return err
		}
		return d.put(binary.LittleEndian.Uint32(b))
	case opBinGet:
		b, err := d.read(1)
		if err != nil {
			return err
		}
		return d.get(uint32(b[0]))
	case opLongBinGet:
		b, err := d.read(4)
		if err != nil {
			return err
		}
		return d.get(binary.LittleEndian.Uint32(b))
	}
	if what, ok := refused[op]; ok {
		return fmt.Errorf("%w: opcode %s at offset %d", ErrRefused, what, d.pos-1)
	}
	return fmt.Errorf("%w: unknown opcode 0x%02x at offset %d", ErrRefused, op, d.pos-1)
}

// long pushes the integer of a LONG1 or LONG4 opcode.
func (d *decoder) long(op byte) error {
	var n int
	if op == opLong1 {
		b, err := d.read(1)
		if err != nil {
			return err
		}
		n = int(b[0])
	} else {
		b, err := d.read(4)
		if err != nil {
			return err
		}
		size := int32(binary.LittleEndian.Uint32(b))
		if size < 0 {
			return fmt.Errorf("LONG4 with a negative byte count %d", size)
		}
		if int(size) > d.lim.MaxIntBytes {
			return fmt.Errorf("integer of %d bytes is more than the limit of %d", size, d.lim.MaxIntBytes)
		}
		n = int(size)
	}
	if n > d.lim.MaxIntBytes {
		return fmt.Errorf("integer of %d bytes is more than the limit of %d", n, d.lim.MaxIntBytes)
	}
	b, err := d.read(n)
	if err != nil {
		return err
	}
	return d.push(decodeLong(b))
}

// decodeLong reads a little-endian two's complement integer: an int64
// when it fits, a *big.Int otherwise.
func decodeLong(b []byte) any {
	if len(b) == 0 {
		return int64(0)
	}
	if len(b) <= 8 {
		var u uint64
		for i := len(b) - 1; i >= 0; i-- {
			u = u<<8 | uint64(b[i])
		}
		shift := uint(64 - 8*len(b))
		return int64(u<<shift) >> shift // sign-extend
	}
	be := make([]byte, len(b))
	for i, c := range b {
		be[len(b)-1-i] = c
	}
	x := new(big.Int).SetBytes(be)
	if b[len(b)-1]&0x80 != 0 {
		x.Sub(x, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
	}
	if x.IsInt64() {
		return x.Int64()
	}
	return x
}

// unicode pushes the string of a SHORT_BINUNICODE, BINUNICODE or
// BINUNICODE8 opcode.
func (d *decoder) unicode(op byte) error {
	var n uint64
	switch op {
	case opShortBinUnicode:
		b, err := d.read(1)
		if err != nil {
			return err
		}
		n = uint64(b[0])
	case opBinUnicode:
		b, err := d.read(4)
		if err != nil {
			return err
		}
		n = uint64(binary.LittleEndian.Uint32(b))
	default:
		b, err := d.read(8)
		if err != nil {
			return err
		}
		n = binary.LittleEndian.Uint64(b)
	}
	if n > uint64(len(d.data)-d.pos) {
		return fmt.Errorf("string of %d bytes with %d left: %w", n, len(d.data)-d.pos, errTruncated)
	}
	b, err := d.read(int(n))
	if err != nil {
		return err
	}
	if !utf8.Valid(b) {
		return fmt.Errorf("%w: string that is not valid UTF-8 (a lone surrogate?) at offset %d", ErrRefused, d.pos-len(b))
	}
	return d.push(string(b))
}

// appendTo appends vals to the list below them on the stack.
func (d *decoder) appendTo(vals []any) error {
	target, err := d.top()
	if err != nil {
		return err
	}
	l, ok := target.(*plist)
	if !ok {
		return fmt.Errorf("%w: APPEND to a %s", ErrRefused, typeName(target))
	}
	l.items = append(l.items, vals...)
	return nil
}

// setItems stores the key and value pairs of vals in the dict below them
// on the stack. Keys must be strings.
func (d *decoder) setItems(vals []any) error {
	if len(vals)%2 != 0 {
		return fmt.Errorf("SETITEMS with an odd number (%d) of keys and values", len(vals))
	}
	target, err := d.top()
	if err != nil {
		return err
	}
	dict, ok := target.(*pdict)
	if !ok {
		return fmt.Errorf("%w: SETITEM on a %s", ErrRefused, typeName(target))
	}
	for i := 0; i < len(vals); i += 2 {
		k, ok := vals[i].(string)
		if !ok {
			return fmt.Errorf("%w: dict key of type %s (JSON keys are strings)", ErrRefused, typeName(vals[i]))
		}
		dict.m[k] = vals[i+1]
	}
	return nil
}

func (d *decoder) put(i uint32) error {
	v, err := d.top()
	if err != nil {
		return err
	}
	if err := d.grow(); err != nil {
		return err
	}
	d.memo[i] = v
	return nil
}

func (d *decoder) get(i uint32) error {
	v, ok := d.memo[i]
	if !ok {
		return fmt.Errorf("memo entry %d read before it was written", i)
	}
	return d.push(v)
}

// finish turns a decoded value into the result types, expanding shared
// references and refusing recursive structures. active holds the
// containers being converted on the current path.
func (d *decoder) finish(v any, depth int, active map[any]bool) (any, error) {
	d.expanded++
	if d.expanded > d.lim.MaxValues {
		return nil, fmt.Errorf("more than %d values", d.lim.MaxValues)
	}
	switch x := v.(type) {
	case *plist, *pdict, *ptuple:
		if depth > d.lim.MaxDepth {
			return nil, fmt.Errorf("nested more than %d deep", d.lim.MaxDepth)
		}
		if active[x] {
			return nil, fmt.Errorf("%w: a recursive structure (a container inside itself)", ErrRefused)
		}
		active[x] = true
		defer delete(active, x)
	}
	switch x := v.(type) {
	case *plist:
		return d.finishItems(x.items, depth, active)
	case *ptuple:
		return d.finishItems(x.items, depth, active)
	case *pdict:
		out := make(map[string]any, len(x.m))
		for k, e := range x.m {
			fe, err := d.finish(e, depth+1, active)
			if err != nil {
				return nil, err
			}
			out[k] = fe
		}
		return out, nil
	}
	return v, nil
}

func (d *decoder) finishItems(items []any, depth int, active map[any]bool) (any, error) {
	out := make([]any, len(items))
	for i, e := range items {
		fe, err := d.finish(e, depth+1, active)
		if err != nil {
			return nil, err
		}
		out[i] = fe
	}
	return out, nil
}

// typeName names a decoded value's Python type for errors.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "NoneType"
	case bool:
		return "bool"
	case int64, *big.Int:
		return "int"
	case float64:
		return "float"
	case string:
		return "str"
	case *plist:
		return "list"
	case *pdict:
		return "dict"
	case *ptuple:
		return "tuple"
	}
	return fmt.Sprintf("%T", v)
}
