package session_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/signing"
)

const djangoKey = "interop-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"

func frozen() time.Time { return time.Unix(1700000000, 0) }

func TestJSONCodecRoundTrip(t *testing.T) {
	c := session.JSONCodec{}
	values := map[string][]byte{}
	for k, v := range map[string]any{"name": "Zoë 🎉", "cart": map[string]int{"5": 2}, "html": "<b>&</b>", "n": 1.5} {
		raw, err := c.EncodeValue(v)
		if err != nil {
			t.Fatal(err)
		}
		values[k] = raw
	}
	data, err := c.Encode(values)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"cart":{"5":2},"html":"<b>&</b>","n":1.5,"name":"Zo\u00eb \ud83c\udf89"}`
	if string(data) != want {
		t.Fatalf("encoded %s\nwant    %s", data, want)
	}
	back, err := c.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	var name string
	if err := c.DecodeValue(back["name"], &name); err != nil || name != "Zoë 🎉" {
		t.Fatalf("name %q, %v", name, err)
	}
}

func TestJSONCodecRejectsGarbage(t *testing.T) {
	for _, in := range []string{"", "null", "[]", `"x"`, "{", "\xff", `{"a":}`} {
		if _, err := (session.JSONCodec{}).Decode([]byte(in)); err == nil {
			t.Errorf("Decode(%q) succeeded", in)
		}
	}
}

func TestDjangoCodecVector(t *testing.T) {
	// §2.3 of the Django reference, verified against Django 3.2.
	c, err := session.NewDjangoCodec([]byte(djangoKey), signing.WithClock(frozen))
	if err != nil {
		t.Fatal(err)
	}
	values := map[string][]byte{"cart": []byte(`[1,2,3]`), "name": []byte(`"Zo\u00eb"`)}
	data, err := c.Encode(values)
	if err != nil {
		t.Fatal(err)
	}
	want := "eyJjYXJ0IjpbMSwyLDNdLCJuYW1lIjoiWm9cdTAwZWIifQ:1r31eq:k1Xwxmw-I3F-mfAv3pomXDCK5DxBwqIOejI1kz57sy8"
	if string(data) != want {
		t.Fatalf("encoded %s\nwant    %s", data, want)
	}
	back, err := c.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	var name string
	c.DecodeValue(back["name"], &name)
	if name != "Zoë" || string(back["cart"]) != "[1,2,3]" {
		t.Fatalf("decoded %q", back)
	}
	// Tampered, wrong key: an error, never a panic.
	tampered := strings.Replace(want, "eyJj", "eyJk", 1)
	if _, err := c.Decode([]byte(tampered)); !errors.Is(err, signing.ErrBadSignature) {
		t.Fatalf("tampered: %v", err)
	}
	other, _ := session.NewDjangoCodec([]byte("another key"))
	if _, err := other.Decode(data); err == nil {
		t.Fatal("decoded with another key")
	}
	rotated, _ := session.NewDjangoCodec([]byte("new key"), signing.WithFallbackKeys([]byte(djangoKey)))
	if _, err := rotated.Decode(data); err != nil {
		t.Fatalf("fallback key: %v", err)
	}
}

func TestDjangoCodecCompressesLargeSessions(t *testing.T) {
	c, _ := session.NewDjangoCodec([]byte(djangoKey))
	values := map[string][]byte{"big": []byte(`"` + strings.Repeat("abc", 500) + `"`)}
	data, err := c.Encode(values)
	if err != nil {
		t.Fatal(err)
	}
	if data[0] != '.' || len(data) > 300 {
		t.Fatalf("not compressed: %d bytes %q...", len(data), data[:10])
	}
	back, err := c.Decode(data)
	if err != nil || len(back["big"]) != 1502 {
		t.Fatalf("round trip: %v", err)
	}
}
