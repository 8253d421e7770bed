package session

import (
	"encoding/json"
	"strings"
	"testing"
)

// validJSONCases are inputs on each side of every rule of the grammar;
// FuzzValidJSON starts from them.
var validJSONCases = []string{
	``, ` `, `{}`, `[]`, ` { } `, `[ ]`, `{"a":1}`, `{"a":1,}`, `{,}`, `[1,]`, `[,1]`, `[1 2]`, `{"a" 1}`,
	`{"a":}`, `{1:2}`, `{"a":1 "b":2}`, `{"a":[1,{"b":null}],"c":"d"}`, `{"a":1}}`, `{"a":1`, `[[]`, `]`, `}`,
	`0`, `-0`, `01`, `-`, `1.`, `1.5`, `.5`, `1e`, `1e+`, `1e5`, `1E-5`, `-1.5e+10`, `1.5.5`, `0x1`, `2 3`,
	`true`, `tru`, `truex`, `false`, `null`, `nul`, `True`,
	`""`, `"a`, `"\"`, `"\\"`, `"\/"`, `"\b\f\n\r\t"`, `"\x"`, `"\u00e9"`, `"\u00g9"`, `"\u12"`, "\"\x01\"", "\"\x7f\"",
	"\"\xff\"", "\"\xc3\xa9\"", "\xef\xbb\xbf{}", "{}\x00", "\t\n\r {}\t\n\r", "\v{}",
	strings.Repeat("[", maxNesting) + strings.Repeat("]", maxNesting),
	strings.Repeat("[", maxNesting+1) + strings.Repeat("]", maxNesting+1),
	strings.Repeat(`{"a":`, maxNesting) + "1" + strings.Repeat("}", maxNesting),
	strings.Repeat(`{"a":`, maxNesting+1) + "1" + strings.Repeat("}", maxNesting+1),
}

func TestValidJSON(t *testing.T) {
	for _, c := range validJSONCases {
		if got, want := validJSON([]byte(c)), json.Valid([]byte(c)); got != want {
			t.Errorf("validJSON(%.60q) = %v, json.Valid says %v", c, got, want)
		}
	}
}

func TestValidJSONDoesNotAllocate(t *testing.T) {
	data := []byte(`{"cart":{"5":2,"7":[1.5e3,true,null]},"user":"d\u00e9mo","n":-42}`)
	if allocs := testing.AllocsPerRun(100, func() { validJSON(data) }); allocs != 0 {
		t.Fatalf("%v allocations per call", allocs)
	}
}

// FuzzValidJSON checks validJSON against json.Valid on every input.
func FuzzValidJSON(f *testing.F) {
	for _, c := range validJSONCases {
		if len(c) < 1000 {
			f.Add([]byte(c))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if got, want := validJSON(data), json.Valid(data); got != want {
			t.Fatalf("validJSON(%q) = %v, json.Valid says %v", data, got, want)
		}
	})
}
