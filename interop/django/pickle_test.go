package djangointerop

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/tetherweb/tether/store/djangocache/pickle"
)

// pickleCorpus returns JSON texts of many shapes: every integer width and
// boundary, floats, strings of every length class (up to one larger than a
// pickle frame), nesting, and containers larger than a pickle batch.
func pickleCorpus() []string {
	corpus := []string{
		`null`, `true`, `false`, `0`, `1`, `255`, `256`, `65535`, `65536`, `-1`, `-128`, `-129`, `-256`,
		`-32768`, `-32769`, `2147483647`, `2147483648`, `-2147483648`, `-2147483649`,
		`9223372036854775807`, `9223372036854775808`, `-9223372036854775808`, `-9223372036854775809`,
		`18446744073709551616`, `-18446744073709551617`, `1` + strings.Repeat("0", 100), `-` + strings.Repeat("9", 700),
		`0.0`, `-0.0`, `1.5`, `1e300`, `-2.5e-300`, `5e-324`, `0.1`, `1e16`, `123456.789`,
		`""`, `"a"`, `"Zo\u00eb"`, `"\ud83d\ude00 emoji"`, `"nul \u0000 and \n newline"`, `"\u65e5\u672c\u8a9e"`,
		`[]`, `[1]`, `[1,2]`, `{}`, `{"a":1}`, `{"b":[1,{"c":null}],"a":"x"}`,
		`{"_auth_user_id":"7","_auth_user_backend":"django.contrib.auth.backends.ModelBackend","_auth_user_hash":"66170ce5ada9c34fccb1a54c5423e77fb73566d86e742e0ef649f9b349710603","cart":{"5":2,"9":1}}`,
		`[[[[[[[[[[[[[[[[[[[[["deep"]]]]]]]]]]]]]]]]]]]]]`,
	}
	for _, n := range []int{255, 256, 65535, 65536, 70000} {
		corpus = append(corpus, `"`+strings.Repeat("x", n)+`"`)
	}
	list := func(n int, item func(int) string) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = item(i)
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	corpus = append(corpus,
		list(999, func(i int) string { return fmt.Sprint(i) }),
		list(1000, func(i int) string { return fmt.Sprint(i) }),
		list(1001, func(i int) string { return fmt.Sprint(i * 1000) }),
		list(2001, func(i int) string { return fmt.Sprintf("%q", strings.Repeat("s", i%60)) }),
		list(3000, func(i int) string { return fmt.Sprintf(`"item %d %s"`, i, strings.Repeat("p", 40)) }),
		list(2, func(i int) string { return `"` + strings.Repeat("w", 40000) + `"` }),
	)
	dict := func(n int) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = fmt.Sprintf(`"k%05d":%d`, i, i)
		}
		return "{" + strings.Join(parts, ",") + "}"
	}
	return append(corpus, dict(2), dict(1000), dict(1001), dict(2500))
}

// TestPickleMatchesPython checks package pickle against CPython's pickle:
// for every value of the corpus, Go's pickle is byte for byte
// pickle.dumps(value, 5) (dict keys sorted, as Go writes them) whenever
// Python's own pickle has no back reference to a shared object, Python
// loads Go's pickle to an equal value, and Go decodes Python's pickle to
// the value it decodes from its own.
func TestPickleMatchesPython(t *testing.T) {
	djangoPython(t)
	type item struct {
		JSON   string `json:"json"`
		Pickle []byte `json:"pickle"`
	}
	corpus := pickleCorpus()
	items := make([]item, len(corpus))
	for i, text := range corpus {
		dec := json.NewDecoder(strings.NewReader(text))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("corpus %d: %v", i, err)
		}
		b, err := pickle.Encode(v)
		if err != nil {
			t.Fatalf("corpus %d: Encode: %v", i, err)
		}
		items[i] = item{JSON: text, Pickle: b}
	}
	stdin, _ := json.Marshal(items)
	var results []struct {
		SameBytes  *bool  `json:"same_bytes"`
		LoadsEqual bool   `json:"loads_equal"`
		Python     string `json:"python"`
	}
	if err := json.Unmarshal(runPython(t, "sessions_cache.py", stdin, "{}", "pickle-check"), &results); err != nil {
		t.Fatal(err)
	}
	if len(results) != len(items) {
		t.Fatalf("%d results for %d values", len(results), len(items))
	}
	compared := 0
	for i, r := range results {
		name := items[i].JSON
		if len(name) > 60 {
			name = name[:60] + "..."
		}
		if !r.LoadsEqual {
			t.Errorf("%s: Python loads Go's pickle to another value", name)
		}
		py, _ := base64.StdEncoding.DecodeString(r.Python)
		if r.SameBytes != nil {
			compared++
			if !*r.SameBytes {
				n := min(len(py), len(items[i].Pickle), 48)
				t.Errorf("%s: Go's pickle differs from Python's\n  go %x...\n  py %x...", name, items[i].Pickle[:n], py[:n])
			}
		}
		fromPython, err := pickle.Decode(py)
		if err != nil {
			t.Errorf("%s: Go does not decode Python's pickle: %v", name, err)
			continue
		}
		fromGo, err := pickle.Decode(items[i].Pickle)
		if err != nil {
			t.Errorf("%s: Go does not decode its own pickle: %v", name, err)
			continue
		}
		if !reflect.DeepEqual(fromPython, fromGo) {
			t.Errorf("%s: Python's pickle decodes to another value than Go's", name)
		}
		if again, _ := pickle.Encode(fromPython); r.SameBytes != nil && *r.SameBytes && !bytes.Equal(again, py) {
			t.Errorf("%s: Python's pickle decoded and encoded again changes", name)
		}
	}
	t.Logf("%d values; %d compared byte for byte (the others have keys Python writes as back references)", len(results), compared)
	if compared < len(results)*3/4 {
		t.Errorf("only %d of %d values compared byte for byte", compared, len(results))
	}
}
