package djangointerop

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tetherweb/tether/signing"
)

// signingScript is the Django side of the signing cross-check.
const signingScript = "signing_vectors.py"

// cookieKeyPrefix is what get_cookie_signer puts before SECRET_KEY.
const cookieKeyPrefix = "django.http.cookies"

// vector is one value signed by Django (signing_vectors.py generate), or
// one value signed by Go for Django to check (verify); the fields say how
// it was signed and what it holds.
type vector struct {
	Name        string          `json:"name"`
	Kind        string          `json:"kind"` // signer, timestamp, dumps, cookie, session
	KeyHex      string          `json:"key_hex,omitempty"`
	Sep         string          `json:"sep,omitempty"`
	Salt        string          `json:"salt"`
	SaltDefault bool            `json:"salt_default,omitempty"` // Django was given no salt
	Algorithm   string          `json:"algorithm,omitempty"`    // "" = the default
	Compress    bool            `json:"compress,omitempty"`
	CookieName  string          `json:"cookie_name,omitempty"`
	Value       string          `json:"value,omitempty"`  // signer, timestamp, cookie
	Object      json.RawMessage `json:"object,omitempty"` // dumps, session
	JSON        string          `json:"json,omitempty"`   // Python's compact JSON of Object
	Portable    bool            `json:"portable_json,omitempty"`
	Compressed  bool            `json:"compressed,omitempty"`
	Signed      string          `json:"signed"`
}

// vectorDoc is the output of "signing_vectors.py generate".
type vectorDoc struct {
	DjangoVersion string   `json:"django_version"`
	SecretKey     string   `json:"secret_key"`
	Now           int64    `json:"now"`
	Vectors       []vector `json:"vectors"`
}

// verifyItem is one value sent to "signing_vectors.py verify", with what
// Django is expected to make of it (wantErr and want are not sent).
type verifyItem struct {
	vector
	MaxAge  *float64 `json:"max_age,omitempty"`
	wantErr string   // "" (accepted) or the Django exception class
	want    any      // the decoded value when accepted
}

// verifyResult is Django's verdict on one verifyItem.
type verifyResult struct {
	Name    string          `json:"name"`
	OK      bool            `json:"ok"`
	Value   json.RawMessage `json:"value"`
	Error   string          `json:"error"`
	Message string          `json:"message"`
}

// isString reports whether the vector signs a plain string (as opposed to a
// serialized object).
func (v vector) isString() bool {
	return v.Kind == "signer" || v.Kind == "timestamp" || v.Kind == "cookie"
}

// key returns the secret the vector was signed with.
func (v vector) key(t testing.TB, doc *vectorDoc) []byte {
	t.Helper()
	if v.Kind == "cookie" {
		return []byte(cookieKeyPrefix + doc.SecretKey)
	}
	if v.KeyHex == "" {
		return []byte(doc.SecretKey)
	}
	k, err := hex.DecodeString(v.KeyHex)
	if err != nil {
		t.Fatalf("%s: key_hex: %v", v.Name, err)
	}
	return k
}

// options returns the signing options that reproduce the vector's Django
// call with the clock stopped at now. A vector made with Django's default
// salt is signed with Go's default, so the defaults are checked too.
func (v vector) options(t testing.TB, now time.Time) []signing.Option {
	t.Helper()
	opts := []signing.Option{signing.WithClock(func() time.Time { return now })}
	switch {
	case v.Kind == "cookie":
		opts = append(opts, signing.WithSalt(v.CookieName+v.Salt))
	case !v.SaltDefault:
		opts = append(opts, signing.WithSalt(v.Salt))
	}
	if v.Sep != "" {
		opts = append(opts, signing.WithSeparator(v.Sep))
	}
	if v.Algorithm != "" {
		alg, err := signing.ParseAlgorithm(v.Algorithm)
		if err != nil {
			t.Fatalf("%s: %v", v.Name, err)
		}
		opts = append(opts, signing.WithAlgorithm(alg))
	}
	if v.Compress {
		opts = append(opts, signing.WithCompression(true))
	}
	return opts
}

// object decodes the vector's Object as encoding/json would.
func (v vector) object(t testing.TB) any {
	t.Helper()
	var obj any
	if err := json.Unmarshal(v.Object, &obj); err != nil {
		t.Fatalf("%s: object: %v", v.Name, err)
	}
	return obj
}

// want is the value the vector decodes to: its string or its object.
func (v vector) want(t testing.TB) any {
	if v.isString() {
		return v.Value
	}
	return v.object(t)
}

// goSign signs the vector's content with Go as Django signed it.
func goSign(t testing.TB, doc *vectorDoc, v vector, now time.Time) string {
	t.Helper()
	key, opts := v.key(t, doc), v.options(t, now)
	switch v.Kind {
	case "signer":
		s, err := signing.NewSigner(key, opts...)
		if err != nil {
			t.Fatalf("%s: %v", v.Name, err)
		}
		return s.Sign(v.Value)
	case "timestamp", "cookie":
		s, err := signing.NewTimestampSigner(key, opts...)
		if err != nil {
			t.Fatalf("%s: %v", v.Name, err)
		}
		return s.Sign(v.Value)
	case "dumps", "session":
		signed, err := signing.Dumps(v.object(t), key, opts...)
		if err != nil {
			t.Fatalf("%s: Dumps: %v", v.Name, err)
		}
		return signed
	}
	t.Fatalf("%s: unknown kind %q", v.Name, v.Kind)
	return ""
}

// goOpen verifies signed with Go as the vector describes and returns the
// decoded value and, for timestamped kinds, the signing time.
func goOpen(t testing.TB, doc *vectorDoc, v vector, signed string) (any, time.Time, error) {
	t.Helper()
	key, opts := v.key(t, doc), v.options(t, time.Unix(doc.Now, 0))
	switch v.Kind {
	case "signer":
		s, err := signing.NewSigner(key, opts...)
		if err != nil {
			t.Fatalf("%s: %v", v.Name, err)
		}
		value, err := s.Unsign(signed)
		return value, time.Time{}, err
	case "timestamp", "cookie":
		s, err := signing.NewTimestampSigner(key, opts...)
		if err != nil {
			t.Fatalf("%s: %v", v.Name, err)
		}
		return s.UnsignTime(signed)
	case "dumps", "session":
		var obj any
		if err := signing.Loads(signed, &obj, key, opts...); err != nil {
			return nil, time.Time{}, err
		}
		// Loads does not return the signing time; a TimestampSigner with
		// the same (explicit) salt reads it.
		s, err := signing.NewTimestampSigner(key, append(opts, signing.WithSalt(v.Salt))...)
		if err != nil {
			t.Fatalf("%s: %v", v.Name, err)
		}
		_, when, err := s.UnsignTime(signed)
		return obj, when, err
	}
	t.Fatalf("%s: unknown kind %q", v.Name, v.Kind)
	return nil, time.Time{}, nil
}

// generateVectors runs "signing_vectors.py generate" and checks the
// document's frame.
func generateVectors(t *testing.T) *vectorDoc {
	t.Helper()
	out := runPython(t, signingScript, nil, "generate")
	var doc vectorDoc
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("generate: %v\n%s", err, out)
	}
	if doc.SecretKey == "" || doc.Now == 0 || len(doc.Vectors) == 0 {
		t.Fatalf("generate: incomplete document: version %q, %d vectors", doc.DjangoVersion, len(doc.Vectors))
	}
	kinds := map[string]int{}
	for _, v := range doc.Vectors {
		kinds[v.Kind]++
	}
	for _, k := range []string{"signer", "timestamp", "dumps", "cookie", "session"} {
		if kinds[k] == 0 {
			t.Errorf("generate: no %s vectors", k)
		}
	}
	t.Logf("Django %s: %d vectors %v", doc.DjangoVersion, len(doc.Vectors), kinds)
	return &doc
}

// TestSigningCrossCheck runs both directions against Django: Django's
// values verified and reproduced by Go, then Go's values verified by
// Django.
func TestSigningCrossCheck(t *testing.T) {
	doc := generateVectors(t)
	t.Run("DjangoToGo", func(t *testing.T) { djangoToGo(t, doc) })
	t.Run("GoToDjango", func(t *testing.T) { goToDjango(t, doc) })
}

// djangoToGo verifies every Django vector with Go (exact decoded value and
// signing time), checks that Go writes the same bytes wherever Django's
// output is reproducible, and that a tampered copy is refused.
func djangoToGo(t *testing.T, doc *vectorDoc) {
	now := time.Unix(doc.Now, 0)
	identical := 0
	for _, v := range doc.Vectors {
		t.Run(v.Name, func(t *testing.T) {
			got, when, err := goOpen(t, doc, v, v.Signed)
			if err != nil {
				t.Fatalf("Go refuses Django's %.80q: %v", v.Signed, err)
			}
			if want := v.want(t); !reflect.DeepEqual(got, want) {
				t.Errorf("decoded %#v, want %#v", got, want)
			}
			if v.Kind != "signer" && !when.Equal(now) {
				t.Errorf("signed at %v, want %v", when, now)
			}

			mine := goSign(t, doc, v, now)
			switch {
			case v.isString():
				if mine != v.Signed {
					t.Errorf("Go signs %.80q, Django %.80q", mine, v.Signed)
				}
				identical++
			case v.Portable:
				js, err := signing.JSON.Marshal(v.object(t))
				if err != nil {
					t.Fatal(err)
				}
				if string(js) != v.JSON {
					t.Errorf("Go JSON %s, Python %s", js, v.JSON)
				}
				if !v.Compressed {
					if mine != v.Signed {
						t.Errorf("Go dumps %.80q, Django %.80q", mine, v.Signed)
					}
					identical++
				}
			}
			if back, _, err := goOpen(t, doc, v, mine); err != nil || !reflect.DeepEqual(back, v.want(t)) {
				t.Errorf("Go's own value %.80q reads back as %#v, %v", mine, back, err)
			}

			tampered := flipMiddle(v.Signed)
			if _, _, err := goOpen(t, doc, v, tampered); !errors.Is(err, signing.ErrBadSignature) {
				t.Errorf("tampered %.80q: err = %v, want ErrBadSignature", tampered, err)
			}
		})
	}
	t.Logf("%d of %d Django values reproduced byte for byte", identical, len(doc.Vectors))
}

// flipMiddle changes one character in the middle of s.
func flipMiddle(s string) string {
	b := []byte(s)
	i := len(b) / 2
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

// goToDjango signs every vector's content with Go (same keys, salts and
// frozen clock), adds values that must be refused or are expired, and has
// Django verify them all.
func goToDjango(t *testing.T, doc *vectorDoc) {
	now := time.Unix(doc.Now, 0)
	var items []verifyItem
	for _, v := range doc.Vectors {
		mine := v
		mine.Name = "go/" + v.Name
		mine.Signed = goSign(t, doc, v, now)
		items = append(items, verifyItem{vector: mine, want: v.want(t)})
	}
	items = append(items, goOnlyItems(t, doc)...)

	input, err := json.Marshal(map[string]any{"items": items})
	if err != nil {
		t.Fatal(err)
	}
	out := runPython(t, signingScript, input, "verify")
	var res struct {
		Results []verifyResult `json:"results"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("verify: %v\n%s", err, out)
	}
	if len(res.Results) != len(items) {
		t.Fatalf("verify returned %d results for %d items", len(res.Results), len(items))
	}
	for i, it := range items {
		r := res.Results[i]
		t.Run(it.Name, func(t *testing.T) {
			if r.Name != it.Name {
				t.Fatalf("result %d is for %q", i, r.Name)
			}
			if it.wantErr != "" {
				if r.OK || r.Error != it.wantErr {
					t.Errorf("Django: ok=%v error=%s (%s), want %s for %.80q", r.OK, r.Error, r.Message, it.wantErr, it.Signed)
				}
				return
			}
			if !r.OK {
				t.Fatalf("Django refuses Go's %.80q: %s: %s", it.Signed, r.Error, r.Message)
			}
			var got any
			if err := json.Unmarshal(r.Value, &got); err != nil {
				t.Fatalf("Django's value %s: %v", r.Value, err)
			}
			if want := normalize(t, it.want); !reflect.DeepEqual(got, want) {
				t.Errorf("Django decodes %#v, want %#v", got, want)
			}
		})
	}
}

// normalize turns a Go value into what encoding/json decodes its JSON to,
// so it compares with a value read back from Django.
func normalize(t testing.TB, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// djangoMajor returns the major version of the Django that generated doc.
func djangoMajor(t testing.TB, doc *vectorDoc) int {
	t.Helper()
	major, _, _ := strings.Cut(doc.DjangoVersion, ".")
	n, err := strconv.Atoi(major)
	if err != nil {
		t.Fatalf("Django version %q: %v", doc.DjangoVersion, err)
	}
	return n
}

// goOnlyItems builds values Django has no vector for: Go-only payloads
// (HTML, astral characters, controls, a large compressed session), values
// past their maximum age (and exactly at it), values from the future,
// tampered and mis-salted values, and SHA-1 values that only Django 3.2
// still accepts on a SHA-256 signer.
func goOnlyItems(t *testing.T, doc *vectorDoc) []verifyItem {
	t.Helper()
	now := time.Unix(doc.Now, 0)
	secret := hex.EncodeToString([]byte(doc.SecretKey))
	age := func(s float64) *float64 { return &s }
	var items []verifyItem
	add := func(v vector, signedAt time.Time, value any, maxAge *float64, wantErr string) {
		v.Name = "go-only/" + v.Name
		if !v.isString() {
			raw, err := json.Marshal(value)
			if err != nil {
				t.Fatal(err)
			}
			v.Object = raw
		} else {
			v.Value = value.(string)
		}
		v.Signed = goSign(t, doc, v, signedAt)
		items = append(items, verifyItem{vector: v, MaxAge: maxAge, wantErr: wantErr, want: value})
	}

	rows := make([]any, 300)
	for i := range rows {
		rows[i] = map[string]any{"id": i, "tags": []any{"x", "y"}, "ok": i%2 == 0}
	}
	payloads := []struct {
		name  string
		value any
	}{
		{"html", map[string]any{"s": "<script>alert('&amp;')</script>", "slash": "a/b"}},
		{"astral", []any{"𝄞", "😀", "Zoë", "日本語", "\u2028\u2029"}},
		{"controls", "\x00\x01\x1f\x7f\u0080\u00ff\t\n\r\b\f\"\\"},
		{"large", map[string]any{"rows": rows}},
	}
	for _, p := range payloads {
		for _, compress := range []bool{false, true} {
			add(vector{Name: fmt.Sprintf("dumps/%s/compress=%v", p.name, compress), Kind: "dumps", KeyHex: secret,
				Salt: signing.DefaultDumpsSalt, SaltDefault: true, Compress: compress}, now, p.value, nil, "")
		}
		if m, ok := p.value.(map[string]any); ok {
			add(vector{Name: "session/" + p.name, Kind: "session", KeyHex: secret,
				Salt: "django.contrib.sessions.SessionStore", Compress: true}, now, m, nil, "")
		}
	}

	past := now.Add(-100 * time.Second)
	future := now.Add(time.Hour)
	ts := vector{Kind: "timestamp", KeyHex: secret, Salt: signing.DefaultTimestampSalt, SaltDefault: true}
	dumps := vector{Kind: "dumps", KeyHex: secret, Salt: signing.DefaultDumpsSalt, SaltDefault: true}
	cookie := vector{Kind: "cookie", CookieName: "color", Salt: ""}
	for _, base := range []vector{ts, dumps, cookie} {
		var value any = "aged"
		if base.Kind == "dumps" {
			value = map[string]any{"aged": true}
		}
		b := base
		b.Name = base.Kind + "/age 100 max 100"
		add(b, past, value, age(100), "")
		b.Name = base.Kind + "/age 100 max 99.5"
		add(b, past, value, age(99.5), "SignatureExpired")
		b.Name = base.Kind + "/age 100 max 10"
		add(b, past, value, age(10), "SignatureExpired")
		b.Name = base.Kind + "/future max 1"
		add(b, future, value, age(1), "")
	}

	// Deliberately bad values: Go signs correctly, then the item is altered.
	bad := []struct {
		name   string
		v      vector
		value  any
		mutate func(*vector)
	}{
		{"signer/tampered", vector{Kind: "signer", KeyHex: secret, Salt: signing.DefaultSignerSalt, SaltDefault: true}, "hello",
			func(v *vector) { v.Signed = flipMiddle(v.Signed) }},
		{"signer/wrong salt", vector{Kind: "signer", KeyHex: secret, Salt: "one"}, "hello",
			func(v *vector) { v.Salt = "two" }},
		{"timestamp/wrong key", ts, "hello",
			func(v *vector) { v.KeyHex = hex.EncodeToString([]byte("another key")) }},
		{"dumps/tampered", dumps, map[string]any{"a": 1.0},
			func(v *vector) { v.Signed = "x" + v.Signed }},
		{"dumps/dot removed", vector{Kind: "dumps", KeyHex: secret, Salt: signing.DefaultDumpsSalt, SaltDefault: true, Compress: true},
			map[string]any{"text": strings.Repeat("compress me ", 40)},
			func(v *vector) { v.Signed = strings.TrimPrefix(v.Signed, ".") }},
		{"cookie/other name", cookie, "blue",
			func(v *vector) { v.CookieName = "colour" }},
	}
	for _, b := range bad {
		b.v.Name = b.name
		add(b.v, now, b.value, nil, "BadSignature")
		last := &items[len(items)-1].vector
		before := *last
		b.mutate(last)
		if reflect.DeepEqual(before, *last) {
			t.Fatalf("%s: the mutation changed nothing", b.name)
		}
	}

	// Go's SHA-1 signature on a signer whose configured algorithm is the
	// default (SHA-256): Django 3.2 still accepts it (legacy fallback),
	// 4.0 and later do not.
	sha1 := vector{Name: "signer/sha1 read by a sha256 signer", Kind: "signer", KeyHex: secret,
		Salt: signing.DefaultSignerSalt, SaltDefault: true, Algorithm: "sha1"}
	wantErr := ""
	if djangoMajor(t, doc) >= 4 {
		wantErr = "BadSignature"
	}
	add(sha1, now, "legacy", nil, wantErr)
	items[len(items)-1].Algorithm = ""
	return items
}
