package session

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzLookupMember checks the lazy lookup of read-only requests against
// encoding/json: for every member of a valid object, and for a missing
// name, lookupMember finds what json.Unmarshal finds.
func FuzzLookupMember(f *testing.F) {
	for _, seed := range []string{`{}`, `{"a":1,"b":[{"a":2}],"a":3}`, `{"\u0061":"x","c\"d":{"e":"}"}}`, "{\"\xff\":1}", ` {"user" : "demo" } `} {
		f.Add([]byte(seed), "a")
	}
	f.Fuzz(func(t *testing.T, data []byte, probe string) {
		if validObject(data) != nil {
			return
		}
		var want map[string]json.RawMessage
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatalf("validObject accepted %q that encoding/json refuses: %v", data, err)
		}
		check := func(name string) {
			got, ok := lookupMember(data, name)
			w, wok := want[name]
			if ok != wok {
				t.Fatalf("lookupMember(%q, %q) found=%v, want %v", data, name, ok, wok)
			}
			var a, b bytes.Buffer
			json.Compact(&a, got)
			json.Compact(&b, w)
			if ok && a.String() != b.String() {
				t.Fatalf("lookupMember(%q, %q) = %s, want %s", data, name, got, w)
			}
		}
		for name := range want {
			check(name)
		}
		check(probe)
	})
}

func TestLookupMemberDoesNotAllocate(t *testing.T) {
	data := []byte(`{"cart":{"5":2,"7":1},"user":"demo","n":42}`)
	allocs := testing.AllocsPerRun(100, func() {
		if _, ok := lookupMember(data, "user"); !ok {
			t.Fatal("not found")
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per lookup", allocs)
	}
}
