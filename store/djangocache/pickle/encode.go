package pickle

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// DefaultProtocol is the protocol Encode writes: 5, pickle.HIGHEST_PROTOCOL
// of Python 3.8 and later, which Django's cache backends use.
const DefaultProtocol = 5

// Framing constants of CPython's pickler (protocol 4 and later).
const (
	frameSizeMin    = 4
	frameSizeTarget = 64 * 1024
	frameHeaderSize = 9
)

// batchSize is how many list items or dict entries CPython's pickler
// writes between a MARK and its APPENDS or SETITEMS.
const batchSize = 1000

// maxEncodeDepth bounds the nesting Encode accepts, as Python's recursion
// limit bounds pickle.dumps.
const maxEncodeDepth = 1000

// Encode returns the pickle of v with DefaultProtocol. v is made of nil,
// bool, int, int64, *big.Int, float64 (finite), json.Number, string (valid
// UTF-8), []any and map[string]any.
func Encode(v any) ([]byte, error) {
	return EncodeProtocol(v, DefaultProtocol)
}

// EncodeProtocol is Encode with protocol 4 or 5 (which differ only in the
// PROTO opcode for these values).
func EncodeProtocol(v any, protocol int) ([]byte, error) {
	if protocol != 4 && protocol != 5 {
		return nil, fmt.Errorf("pickle: encode: protocol %d (4 or 5 are supported)", protocol)
	}
	e := encoder{buf: make([]byte, 0, 256), frameStart: -1}
	e.write(opProto, byte(protocol))
	e.framing = true
	if err := e.save(v, 1); err != nil {
		return nil, fmt.Errorf("pickle: encode: %w", err)
	}
	e.write(opStop)
	e.commitFrame()
	return e.buf, nil
}

// encoder writes opcodes, grouped into frames as CPython's C pickler
// (Modules/_pickle.c) does: a frame opens with the first write after the
// previous one closed, closes at an opcode boundary once it holds at least
// frameSizeTarget bytes, and gets no FRAME header when it holds fewer than
// frameSizeMin; a string of frameSizeTarget bytes or more is written
// outside any frame.
type encoder struct {
	buf        []byte
	framing    bool
	frameStart int // offset of the current frame's header, or -1
}

func (e *encoder) write(b ...byte) {
	e.writeBytes(b)
}

func (e *encoder) writeBytes(b []byte) {
	if e.framing && e.frameStart < 0 {
		e.frameStart = len(e.buf)
		e.buf = append(e.buf, make([]byte, frameHeaderSize)...)
	}
	e.buf = append(e.buf, b...)
}

func (e *encoder) commitFrame() {
	if !e.framing || e.frameStart < 0 {
		return
	}
	n := len(e.buf) - e.frameStart - frameHeaderSize
	if n >= frameSizeMin {
		e.buf[e.frameStart] = opFrame
		binary.LittleEndian.PutUint64(e.buf[e.frameStart+1:], uint64(n))
	} else {
		copy(e.buf[e.frameStart:], e.buf[e.frameStart+frameHeaderSize:])
		e.buf = e.buf[:len(e.buf)-frameHeaderSize]
	}
	e.frameStart = -1
}

// boundary is called before each value (CPython's save starts with it):
// a frame that has grown to
// frameSizeTarget is closed there.
func (e *encoder) boundary() {
	if e.framing && e.frameStart >= 0 && len(e.buf)-e.frameStart-frameHeaderSize >= frameSizeTarget {
		e.commitFrame()
	}
}

func (e *encoder) save(v any, depth int) error {
	if depth > maxEncodeDepth {
		return fmt.Errorf("nested more than %d deep", maxEncodeDepth)
	}
	e.boundary()
	var err error
	switch x := v.(type) {
	case nil:
		e.write(opNone)
	case bool:
		if x {
			e.write(opNewTrue)
		} else {
			e.write(opNewFalse)
		}
	case int:
		e.saveInt(big.NewInt(int64(x)))
	case int64:
		e.saveInt(big.NewInt(x))
	case *big.Int:
		if x == nil {
			return fmt.Errorf("a nil *big.Int")
		}
		e.saveInt(x)
	case float64:
		err = e.saveFloat(x)
	case json.Number:
		err = e.saveNumber(x)
	case string:
		err = e.saveString(x)
	case []any:
		err = e.saveList(x, depth)
	case map[string]any:
		err = e.saveDict(x, depth)
	default:
		return fmt.Errorf("cannot pickle a %T", v)
	}
	return err
}

// saveInt writes an integer as CPython's save_long does.
func (e *encoder) saveInt(x *big.Int) {
	if x.IsInt64() {
		n := x.Int64()
		switch {
		case n >= 0 && n <= 0xff:
			e.write(opBinInt1, byte(n))
			return
		case n >= 0 && n <= 0xffff:
			e.write(opBinInt2, byte(n), byte(n>>8))
			return
		case n >= math.MinInt32 && n <= math.MaxInt32:
			var b [5]byte
			b[0] = opBinInt
			binary.LittleEndian.PutUint32(b[1:], uint32(int32(n)))
			e.writeBytes(b[:])
			return
		}
	}
	data := encodeLong(x)
	if len(data) < 256 {
		e.write(opLong1, byte(len(data)))
	} else {
		var b [5]byte
		b[0] = opLong4
		binary.LittleEndian.PutUint32(b[1:], uint32(len(data)))
		e.writeBytes(b[:])
	}
	e.writeBytes(data)
}

// encodeLong returns x in little-endian two's complement with as few
// bytes as CPython's encode_long uses: bit length / 8 + 1, less one for a
// negative number whose top byte is only sign bits.
func encodeLong(x *big.Int) []byte {
	if x.Sign() == 0 {
		return nil
	}
	n := new(big.Int).Abs(x).BitLen()/8 + 1
	v := new(big.Int).Set(x)
	if x.Sign() < 0 {
		v.Add(v, new(big.Int).Lsh(big.NewInt(1), uint(8*n)))
	}
	be := v.FillBytes(make([]byte, n))
	le := make([]byte, n)
	for i, c := range be {
		le[n-1-i] = c
	}
	if x.Sign() < 0 && n > 1 && le[n-1] == 0xff && le[n-2]&0x80 != 0 {
		le = le[:n-1]
	}
	return le
}

func (e *encoder) saveFloat(f float64) error {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return fmt.Errorf("float %v (JSON has no such number)", f)
	}
	var b [9]byte
	b[0] = opBinFloat
	binary.BigEndian.PutUint64(b[1:], math.Float64bits(f))
	e.writeBytes(b[:])
	return nil
}

// saveNumber writes a JSON number: an integer when it has no fraction or
// exponent (Python's json.loads makes an int of it), a float otherwise.
func (e *encoder) saveNumber(n json.Number) error {
	s := string(n)
	if !strings.ContainsAny(s, ".eE") {
		x, ok := new(big.Int).SetString(s, 10)
		if !ok {
			return fmt.Errorf("malformed JSON number %.40q", s)
		}
		e.saveInt(x)
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("JSON number %.40q: %w", s, err)
	}
	return e.saveFloat(f)
}

// saveString writes a str as CPython's save_str does for protocol 4 and
// later, then memoizes it.
func (e *encoder) saveString(s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("string that is not valid UTF-8")
	}
	var header []byte
	n := uint64(len(s))
	switch {
	case n <= 0xff:
		header = []byte{opShortBinUnicode, byte(n)}
	case n <= 0xffffffff:
		header = binary.LittleEndian.AppendUint32([]byte{opBinUnicode}, uint32(n))
	default:
		header = binary.LittleEndian.AppendUint64([]byte{opBinUnicode8}, n)
	}
	if len(s) >= frameSizeTarget {
		// Large payloads go outside frames (_Pickler_write_bytes).
		e.commitFrame()
		e.framing = false
		e.writeBytes(header)
		e.buf = append(e.buf, s...)
		e.framing = true
	} else {
		e.writeBytes(header)
		e.buf = append(e.buf, s...)
	}
	e.write(opMemoize)
	return nil
}

// saveList writes a list as CPython's C pickler does (batch_list_exact):
// a list of one item with APPEND, longer ones in batches of batchSize
// between MARK and APPENDS (also a last batch of one).
func (e *encoder) saveList(l []any, depth int) error {
	e.write(opEmptyList, opMemoize)
	if len(l) == 1 {
		if err := e.save(l[0], depth+1); err != nil {
			return err
		}
		e.write(opAppend)
		return nil
	}
	for start := 0; start < len(l); start += batchSize {
		batch := l[start:min(start+batchSize, len(l))]
		e.write(opMark)
		for _, item := range batch {
			if err := e.save(item, depth+1); err != nil {
				return err
			}
		}
		e.write(opAppends)
	}
	return nil
}

// saveDict writes a dict as CPython's C pickler does (batch_dict_exact),
// with the keys in sorted order: a dict of one entry with SETITEM, longer
// ones in batches of batchSize between MARK and SETITEMS, where a full
// batch is always followed by another, so a dict of a multiple of
// batchSize entries ends with an empty MARK SETITEMS.
func (e *encoder) saveDict(m map[string]any, depth int) error {
	e.write(opEmptyDict, opMemoize)
	if len(m) == 0 {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if len(keys) == 1 {
		if err := e.saveItem(keys[0], m[keys[0]], depth); err != nil {
			return err
		}
		e.write(opSetItem)
		return nil
	}
	for i := 0; ; {
		e.write(opMark)
		n := 0
		for ; i < len(keys) && n < batchSize; i, n = i+1, n+1 {
			if err := e.saveItem(keys[i], m[keys[i]], depth); err != nil {
				return err
			}
		}
		e.write(opSetItems)
		if n < batchSize {
			return nil
		}
	}
}

// saveItem writes a dict's key and value.
func (e *encoder) saveItem(k string, v any, depth int) error {
	e.boundary()
	if err := e.saveString(k); err != nil {
		return err
	}
	return e.save(v, depth+1)
}
