package signing_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tetherweb/tether/signing"
)

// BenchmarkSign measures Signer.Sign of a short value.
func BenchmarkSign(b *testing.B) {
	s := mustSigner(b, testKey)
	b.ReportAllocs()
	for b.Loop() {
		_ = s.Sign("hello")
	}
}

// BenchmarkUnsign measures Signer.Unsign of a short value.
func BenchmarkUnsign(b *testing.B) {
	s := mustSigner(b, testKey)
	signed := s.Sign("hello")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Unsign(signed); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTimestampSign measures TimestampSigner.Sign of a short value.
func BenchmarkTimestampSign(b *testing.B) {
	s := mustTimestampSigner(b, testKey, signing.WithClock(frozen))
	b.ReportAllocs()
	for b.Loop() {
		_ = s.Sign("hello")
	}
}

// BenchmarkTimestampUnsign measures TimestampSigner.Unsign with a maximum
// age.
func BenchmarkTimestampUnsign(b *testing.B) {
	s := mustTimestampSigner(b, testKey, signing.WithClock(frozen))
	signed := s.Sign("hello")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Unsign(signed, time.Hour); err != nil {
			b.Fatal(err)
		}
	}
}

// smallMap is the small object of the Dumps/Loads benchmarks.
var smallMap = map[string]any{"user": "42", "cart": []any{1.0, 2.0, 3.0}, "name": "Zoë"}

// BenchmarkDumps measures Dumps of a small map (key derivation included,
// as documented).
func BenchmarkDumps(b *testing.B) {
	key := []byte(testKey)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := signing.Dumps(smallMap, key); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoads measures Loads of a small map into any.
func BenchmarkLoads(b *testing.B) {
	key := []byte(testKey)
	signed, err := signing.Dumps(smallMap, key)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		var v any
		if err := signing.Loads(signed, &v, key); err != nil {
			b.Fatal(err)
		}
	}
}

// twoKBValue is a 2 KB compressible value.
var twoKBValue = map[string]any{"text": strings.Repeat("lorem ipsum dolor sit amet ", 76)}

// BenchmarkSignObjectCompressed measures SignObject of a 2 KB value with
// compression on.
func BenchmarkSignObjectCompressed(b *testing.B) {
	s := mustTimestampSigner(b, testKey, signing.WithCompression(true))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.SignObject(twoKBValue); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUnsignObjectCompressed measures UnsignObject of a compressed
// 2 KB value.
func BenchmarkUnsignObjectCompressed(b *testing.B) {
	s := mustTimestampSigner(b, testKey, signing.WithCompression(true))
	signed, err := s.SignObject(twoKBValue)
	if err != nil {
		b.Fatal(err)
	}
	if !strings.HasPrefix(signed, ".") {
		b.Fatal("the 2 KB value was not compressed")
	}
	b.ReportAllocs()
	for b.Loop() {
		var v any
		if err := s.UnsignObject(signed, &v, 0); err != nil {
			b.Fatal(err)
		}
	}
}

// benchmarkSeal measures Cipher.Seal of n bytes.
func benchmarkSeal(b *testing.B, n int) {
	c := mustCipher(b, testKey)
	pt := make([]byte, n)
	b.SetBytes(int64(n))
	b.ReportAllocs()
	for b.Loop() {
		_ = c.Seal(pt, []byte("ad"))
	}
}

// benchmarkOpen measures Cipher.Open of n bytes.
func benchmarkOpen(b *testing.B, n int) {
	c := mustCipher(b, testKey)
	sealed := c.Seal(make([]byte, n), []byte("ad"))
	b.SetBytes(int64(n))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Open(sealed, []byte("ad")); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSeal100 measures sealing 100 bytes.
func BenchmarkSeal100(b *testing.B) { benchmarkSeal(b, 100) }

// BenchmarkOpen100 measures opening 100 bytes.
func BenchmarkOpen100(b *testing.B) { benchmarkOpen(b, 100) }

// BenchmarkSeal4K measures sealing 4 KiB.
func BenchmarkSeal4K(b *testing.B) { benchmarkSeal(b, 4096) }

// BenchmarkOpen4K measures opening 4 KiB.
func BenchmarkOpen4K(b *testing.B) { benchmarkOpen(b, 4096) }
