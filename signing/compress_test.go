package signing

import (
	"bytes"
	"compress/zlib"
	"errors"
	"strings"
	"testing"
)

// zlibLen returns the length of data compressed as deflate does it.
func zlibLen(t *testing.T, data []byte) int {
	t.Helper()
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Len()
}

// TestDeflateWorthIt checks Django's rule: the compressed form is used only
// when len(z) < len(data) - 1. It walks inputs of growing length until it
// has seen the boundary from both sides: a stream exactly one byte shorter
// (refused) and one exactly two bytes shorter (used).
func TestDeflateWorthIt(t *testing.T) {
	sawOneShorter, sawTwoShorter := false, false
	for n := 0; n < 400 && !(sawOneShorter && sawTwoShorter); n++ {
		// Half repetitive, half varied, so the saving grows slowly with n.
		var b strings.Builder
		for i := range n {
			if i%2 == 0 {
				b.WriteByte('a')
			} else {
				b.WriteByte(byte('0' + i*7%75))
			}
		}
		data := []byte(b.String())
		zl := zlibLen(t, data)
		out, used := deflate(data)
		want := zl < len(data)-1
		if used != want {
			t.Fatalf("n=%d: zlib %d bytes, used = %v, want %v", n, zl, used, want)
		}
		if used {
			if len(out) != zl {
				t.Errorf("n=%d: deflate returned %d bytes, zlib %d", n, len(out), zl)
			}
			back, err := inflate(out, len(data))
			if err != nil || !bytes.Equal(back, data) {
				t.Errorf("n=%d: inflate = %q, %v", n, back, err)
			}
		} else if !bytes.Equal(out, data) {
			t.Errorf("n=%d: not compressed but data changed", n)
		}
		switch len(data) - zl {
		case 1:
			sawOneShorter = true
			if used {
				t.Errorf("n=%d: a one-byte saving was used", n)
			}
		case 2:
			sawTwoShorter = true
			if !used {
				t.Errorf("n=%d: a two-byte saving was not used", n)
			}
		}
	}
	if !sawOneShorter || !sawTwoShorter {
		t.Errorf("boundary not reached: one-byte saving seen %v, two-byte %v", sawOneShorter, sawTwoShorter)
	}
}

// TestDeflateHeader checks that the stream is a zlib container at the
// default level (header 78 9c, like Python's zlib.compress).
func TestDeflateHeader(t *testing.T) {
	out, used := deflate(bytes.Repeat([]byte("abc"), 100))
	if !used || len(out) < 2 || out[0] != 0x78 || out[1] != 0x9c {
		t.Errorf("deflate = % x…, %v", out[:min(len(out), 2)], used)
	}
}

// TestInflateErrors checks garbage, truncation and the size limit.
func TestInflateErrors(t *testing.T) {
	good, used := deflate(bytes.Repeat([]byte("x"), 500))
	if !used {
		t.Fatal("500 x's did not compress")
	}
	for name, z := range map[string][]byte{
		"empty":     nil,
		"garbage":   []byte("not zlib at all"),
		"truncated": good[:len(good)/2],
		"bad sum":   append(bytes.Clone(good[:len(good)-1]), good[len(good)-1]^1),
	} {
		if out, err := inflate(z, 1<<20); err == nil {
			t.Errorf("%s: inflate = %q, want an error", name, out)
		} else if errors.Is(err, ErrTooLarge) {
			t.Errorf("%s: err = %v, should not be ErrTooLarge", name, err)
		}
	}
	if _, err := inflate(good, 499); !errors.Is(err, ErrTooLarge) {
		t.Errorf("limit 499: err = %v, want ErrTooLarge", err)
	}
	if out, err := inflate(good, 500); err != nil || len(out) != 500 {
		t.Errorf("limit 500: %d bytes, %v", len(out), err)
	}
}

// TestInflatePython decodes a stream written by Python's zlib.compress
// (from a Django vector), which Go's compressor would not reproduce.
func TestInflatePython(t *testing.T) {
	z, err := b64Decode("eJxTqqADUAIAfKsvJQ")
	if err != nil {
		t.Fatal(err)
	}
	out, err := inflate(z, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if want := `"` + strings.Repeat("x", 100) + `"`; string(out) != want {
		t.Errorf("inflate = %q", out)
	}
}
