package signing

import (
	"bytes"
	"testing"
)

// TestB64 checks the unpadded URL-safe base64 of §1.1: the worked example,
// both alphabets' special characters, and decoding with and without
// padding.
func TestB64(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{`{"a":1}`, "eyJhIjoxfQ"},
		{"", ""},
		{"f", "Zg"},
		{"fo", "Zm8"},
		{"foo", "Zm9v"},
		{"\xfb\xff\xbf", "-_-_"},
	}
	for _, tc := range tests {
		if got := b64Encode([]byte(tc.in)); got != tc.want {
			t.Errorf("b64Encode(%q) = %q, want %q", tc.in, got, tc.want)
		}
		padded := tc.want
		for len(padded)%4 != 0 {
			padded += "="
		}
		for _, enc := range []string{tc.want, padded} {
			got, err := b64Decode(enc)
			if err != nil || !bytes.Equal(got, []byte(tc.in)) {
				t.Errorf("b64Decode(%q) = %q, %v; want %q", enc, got, err, tc.in)
			}
		}
	}
}

// TestB64RoundTrip round-trips every length up to a few blocks.
func TestB64RoundTrip(t *testing.T) {
	data := make([]byte, 64)
	for i := range data {
		data[i] = byte(i * 37)
	}
	for n := 0; n <= len(data); n++ {
		got, err := b64Decode(b64Encode(data[:n]))
		if err != nil || !bytes.Equal(got, data[:n]) {
			t.Errorf("length %d: round trip = %x, %v", n, got, err)
		}
	}
}

// TestB64DecodeRefuses checks that characters outside the URL-safe
// alphabet and impossible lengths are refused.
func TestB64DecodeRefuses(t *testing.T) {
	for _, s := range []string{"a", "abcde", "ab+/", "ab cd", "ab\ncd", "é", "Zm9v!", "=Zm9v"} {
		if got, err := b64Decode(s); err == nil {
			t.Errorf("b64Decode(%q) = %q, want an error", s, got)
		}
	}
}
