package messages

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// The reference's verification key and its frozen clock (Unix 1700000000).
var (
	refKey = []byte("interop-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
	refNow = func() time.Time { return time.Unix(1700000000, 0) }
)

// refMessages is the reference's worked example of three messages.
var refMessages = []Message{
	{level: LevelInfo, text: "Hello world."},
	{level: LevelWarning, text: "Your account expires in three days.", extraTags: "account expiry"},
	{level: LevelError, text: "<b>Document</b> deleted.", extraTags: "doc", safe: true},
}

const (
	refJSON = `[["__json_message",0,20,"Hello world."],["__json_message",0,30,"Your account expires in three days.","account expiry"],` +
		`["__json_message",1,40,"<b>Document</b> deleted.","doc"]]`
	refCookie = ".eJxtzEsKwjAQANCrDLMeav0sS1cuvIKUENLMoJU0U_JBe3vrUuj-8YYBrX1ljXaWnN1DkFo6tYQ3CUHhrSlwg4b22Hljd60JnPdaYwH5LFOSDFOE8kwiwG7NDRL-gXW3O9Jl67qxv6qvs8TSHcYeWIIU4d_B6tGYL4AuOs4:1r31eq:VMhuccWVScrcMOd5ox38xmeyoGFXRM33YSGtqDStpUw"
)

func TestEncodeMatchesDjango(t *testing.T) {
	if got := string(encodeList(refMessages, false, false)); got != refJSON {
		t.Fatalf("got  %s\nwant %s", got, refJSON)
	}
	spaced := `[["__json_message", 0, 20, "Hi"], "__messagesnotfinished__"]`
	if got := string(encodeList(refMessages[:1:1], true, true)); got != strings.Replace(spaced, "Hi", "Hello world.", 1) {
		t.Fatalf("spaced: %s", got)
	}
	if got := string(encodeList(nil, true, false)); got != `["__messagesnotfinished__"]` {
		t.Fatalf("marker alone: %s", got)
	}
}

func TestDecodeDjangoCookie(t *testing.T) {
	cs := &CookieStorage{Key: refKey, Now: refNow}
	if err := cs.init(); err != nil {
		t.Fatal(err)
	}
	msgs, more, err := cs.decode(refCookie, defaultTags)
	if err != nil || more {
		t.Fatal(err, more)
	}
	for i := range refMessages {
		want := refMessages[i]
		want.levelTag = defaultTags[want.level]
		if msgs[i] != want {
			t.Fatalf("message %d: %+v, want %+v", i, msgs[i], want)
		}
	}
	// Go's zlib stream differs from Python's, so the value differs, but
	// the timestamp and the signed JSON are the same.
	v, _ := cs.encode(refMessages, true)
	if !strings.HasPrefix(v, ".") || !strings.Contains(v, ":1r31eq:") {
		t.Fatalf("encoded %s", v)
	}
	back, _, err := cs.decode(v, defaultTags)
	if err != nil || len(back) != 3 {
		t.Fatal(err)
	}
}

func TestJSONStringLikePython(t *testing.T) {
	for in, want := range map[string]string{
		"plain":          `"plain"`,
		`q"b\`:           `"q\"b\\"`,
		"\n\r\t\b\f\x01": `"\n\r\t\b\f\u0001"`,
		"\x7f":           `"\u007f"`,
		"Zoë €":          `"Zo\u00eb \u20ac"`,
		"😀":              `"\ud83d\ude00"`,
		"bad\xffutf8":    `"bad\ufffdutf8"`,
		"<&>/":           `"<&>/"`,
	} {
		got := string(appendJSONString(nil, in))
		if got != want {
			t.Errorf("%q: got %s, want %s", in, got, want)
		}
		var back string
		if err := json.Unmarshal([]byte(got), &back); err != nil {
			t.Errorf("%q: %v", in, err)
		}
	}
}

func TestDecodeRejectsMalformed(t *testing.T) {
	for _, in := range []string{
		``, `{}`, `null`, `"x"`, `[1]`, `["other"]`,
		`["__messagesnotfinished__",["__json_message",0,20,"x"]]`,
		`[["__json_message",0,20]]`,
		`[["__json_message",0,20,"x","t",1]]`,
		`[["json_message",0,20,"x"]]`,
		`[["__json_message",2,20,"x"]]`,
		`[["__json_message",0,20.5,"x"]]`,
		`[["__json_message",0,"20","x"]]`,
		`[["__json_message",0,1e30,"x"]]`,
		`[["__json_message",0,20,null]]`,
		`[["__json_message",0,20,5]]`,
		`[["__json_message",0,20,"x",5]]`,
		`[["__json_message",0,20,"x"]`,
	} {
		if _, _, err := decodeList([]byte(in), nil); !errors.Is(err, errBadEncoding) {
			t.Errorf("%s: err %v", in, err)
		}
	}
}

func TestDecodeAccepts(t *testing.T) {
	msgs, more, err := decodeList([]byte(`[ ["__json_message", true, -5, "x", null], ["__json_message",0,20,"y",""], "__messagesnotfinished__" ]`), defaultTags)
	if err != nil || !more || len(msgs) != 2 || !msgs[0].safe || msgs[0].level != -5 || msgs[1].levelTag != "info" {
		t.Fatalf("%+v %v %v", msgs, more, err)
	}
	if msgs, _, err := decodeList([]byte(`[]`), nil); err != nil || len(msgs) != 0 {
		t.Fatal(msgs, err)
	}
}

func TestSessionValueForms(t *testing.T) {
	msgs := refMessages[:2]
	plain, _ := sessionValue{msgs: msgs}.MarshalJSON()
	if string(plain) != string(encodeList(msgs, false, false)) {
		t.Fatalf("plain form %s", plain)
	}
	django, _ := sessionValue{msgs: msgs, django: true}.MarshalJSON()
	want := `"[[\"__json_message\", 0, 20, \"Hello world.\"], [\"__json_message\", 0, 30, \"Your account expires in three days.\", \"account expiry\"]]"`
	if string(django) != want {
		t.Fatalf("django form\n%s\nwant\n%s", django, want)
	}
	for _, form := range [][]byte{plain, django} {
		var v sessionValue
		if err := v.UnmarshalJSON(form); err != nil || v.bad != nil || len(v.msgs) != 2 || v.msgs[1] != msgs[1] {
			t.Fatalf("%s: %+v %v", form, v, err)
		}
	}
	var v sessionValue
	if v.UnmarshalJSON([]byte(`{"x":1}`)); v.bad == nil {
		t.Fatal("a bad value was accepted")
	}
}

func TestWithout(t *testing.T) {
	a, b, c := Message{text: "a"}, Message{text: "b"}, Message{text: "c"}
	got := without([]Message{a, b, a, c}, []Message{a, c, Message{text: "gone"}})
	if len(got) != 2 || got[0] != b || got[1] != a {
		t.Fatalf("%v", got)
	}
}
