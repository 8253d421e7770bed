package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestKeygen(t *testing.T) {
	seen := map[string]bool{}
	for range 20 {
		var out, errb bytes.Buffer
		if code := run([]string{"keygen"}, &out, &errb); code != 0 {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
		key := strings.TrimSuffix(out.String(), "\n")
		if len(key) != 64 {
			t.Fatalf("key length %d, want 64: %q", len(key), key)
		}
		for _, c := range key {
			if !strings.ContainsRune(keyAlphabet, c) {
				t.Fatalf("key %q has %q outside the alphabet", key, c)
			}
		}
		if seen[key] {
			t.Fatalf("key %q generated twice", key)
		}
		seen[key] = true
	}
}

func TestKeygenLength(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"keygen", "-length", "80"}, &out, &errb); code != 0 || len(strings.TrimSpace(out.String())) != 80 {
		t.Fatalf("exit %d, out %q", code, out.String())
	}
	if code := run([]string{"keygen", "-length", "49"}, &out, &errb); code != 2 {
		t.Fatalf("a 49-character key was accepted (exit %d)", code)
	}
}

func TestUnknownCommand(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"nope"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "unknown command") {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
}
