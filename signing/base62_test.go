package signing

import (
	"errors"
	"math"
	"testing"
)

// TestBase62Vectors checks Django's baseconv.base62 encoding (§1.4).
func TestBase62Vectors(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0"},
		{1, "1"},
		{9, "9"},
		{10, "A"},
		{35, "Z"},
		{36, "a"},
		{61, "z"},
		{62, "10"},
		{-1, "-1"},
		{-62, "-10"},
		{123456789, "8M0kX"},
		{1700000000, "1r31eq"},
		{math.MaxInt64, "AzL8n0Y58m7"},
		{-math.MaxInt64, "-AzL8n0Y58m7"},
		{math.MinInt64, "-AzL8n0Y58m8"},
	}
	for _, tc := range tests {
		if got := base62Encode(tc.n); got != tc.want {
			t.Errorf("base62Encode(%d) = %q, want %q", tc.n, got, tc.want)
		}
		got, err := base62Decode(tc.want)
		if err != nil {
			t.Errorf("base62Decode(%q): %v", tc.want, err)
			continue
		}
		if got != tc.n {
			t.Errorf("base62Decode(%q) = %d, want %d", tc.want, got, tc.n)
		}
	}
}

// TestBase62RoundTrip is §9 item 14: ±10^10, 1620378259 and every integer
// in [-100, 100).
func TestBase62RoundTrip(t *testing.T) {
	values := []int64{-10_000_000_000, 10_000_000_000, 1620378259, math.MaxInt64, math.MinInt64, math.MaxInt64 - 1, math.MinInt64 + 1}
	for i := int64(-100); i < 100; i++ {
		values = append(values, i)
	}
	for p := int64(1); p > 0 && p < math.MaxInt64/62; p *= 62 {
		values = append(values, p, p-1, -p, -(p - 1))
	}
	for _, n := range values {
		s := base62Encode(n)
		got, err := base62Decode(s)
		if err != nil || got != n {
			t.Errorf("base62Decode(base62Encode(%d) = %q) = %d, %v", n, s, got, err)
		}
	}
}

// TestBase62DecodeMalformed checks that anything base62Encode cannot
// produce, or that does not fit an int64, is refused without panicking.
func TestBase62DecodeMalformed(t *testing.T) {
	for _, s := range []string{
		"", "-", "--1", "+1", " 1", "1 ", "1-", "é", "1.5", "=", "_", ":",
		"AzL8n0Y58m8",  // MaxInt64 + 1
		"-AzL8n0Y58m9", // MinInt64 - 1
		"zzzzzzzzzzz",  // 11 digits beyond int64
		"100000000000", // 12 digits
		"000000000000", // 12 digits, even if zero
		"\x00", "\xff",
	} {
		if n, err := base62Decode(s); !errors.Is(err, errBase62) {
			t.Errorf("base62Decode(%q) = %d, %v; want errBase62", s, n, err)
		}
	}
}

// TestBase62DecodeLenient checks forms Django would also read although
// base62Encode never writes them.
func TestBase62DecodeLenient(t *testing.T) {
	tests := []struct {
		s    string
		want int64
	}{
		{"-0", 0},
		{"01", 1},
		{"00000000001", 1},
	}
	for _, tc := range tests {
		got, err := base62Decode(tc.s)
		if err != nil || got != tc.want {
			t.Errorf("base62Decode(%q) = %d, %v; want %d", tc.s, got, err, tc.want)
		}
	}
}
