package logval

import (
	"bytes"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestQuoteShortValueIsQuotedWhole(t *testing.T) {
	for _, s := range []string{"", "/posts/1", "https://evil.example", "a\nb", "\x00\xff", "é"} {
		if got := Quote(s); got != strconv.Quote(s) {
			t.Errorf("Quote(%q) = %s, want %s", s, got, strconv.Quote(s))
		}
	}
}

func TestQuoteBoundsAndMarksTheCut(t *testing.T) {
	s := strings.Repeat("A", 900_000)
	got := Quote(s)
	want := strconv.Quote(strings.Repeat("A", Budget)) + "…(900000 bytes)"
	if got != want {
		t.Fatalf("Quote of 900 KB = %.80s… (%d bytes), want %s", got, len(got), want)
	}
	// Escapes can grow a byte to \x.. (4 bytes): the bound is still small.
	if got := Quote(strings.Repeat("\x01", 900_000)); len(got) > 4*Budget+40 {
		t.Fatalf("Quote of control bytes is %d bytes", len(got))
	}
}

func TestCutKeepsCharacters(t *testing.T) {
	s := strings.Repeat("é", Budget) // 2 bytes each
	got := Cut(s)
	head, _, ok := strings.Cut(got, "…(")
	if !ok || !utf8.ValidString(head) || len(head) > Budget || !strings.HasSuffix(got, "(400 bytes)") {
		t.Fatalf("Cut = %q", got)
	}
	if Cut("short") != "short" {
		t.Fatal("Cut changed a short value")
	}
}

// A value with a newline cannot forge a second log line, whatever the
// handler: the quoting escapes it before the handler sees it.
func TestNoForgedLine(t *testing.T) {
	forged := "/x\ntime=2026-01-01 level=ERROR msg=\"admin logged in\"\r\n"
	var buf bytes.Buffer
	l := slog.New(slog.NewTextHandler(&buf, nil))
	l.Info("m", String("path", forged), Error(errors.New("bad "+forged)))
	if n := strings.Count(buf.String(), "\n"); n != 1 {
		t.Fatalf("%d lines:\n%s", n, buf.String())
	}
	if !strings.Contains(Quote(forged), `\n`) {
		t.Fatal("newline not escaped")
	}
}

func TestErrorBudget(t *testing.T) {
	got := Error(errors.New(strings.Repeat("x", 50_000))).Value.String()
	if len(got) > ErrorBudget+40 || !strings.HasSuffix(got, "(50000 bytes)") {
		t.Fatalf("Error: %d bytes, ends %q", len(got), got[len(got)-20:])
	}
	if Error(nil).Value.String() != "" {
		t.Fatal("nil error")
	}
	if got := Error(errors.New("signing: bad signature")).Value.String(); got != "signing: bad signature" {
		t.Fatalf("a plain error is quoted: %s", got)
	}
	if got := Error(errors.New("bad\nlevel=ERROR")).Value.String(); got != `"bad\nlevel=ERROR"` {
		t.Fatalf("an error with a newline is not quoted: %s", got)
	}
}

func FuzzQuote(f *testing.F) {
	for _, s := range []string{"", "a", "\n", "\xff\xfe", strings.Repeat("é", 150), strings.Repeat("\x00", 300)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := Quote(s)
		if strings.ContainsAny(q, "\n\r") {
			t.Fatalf("Quote(%q) has a line break: %q", s, q)
		}
		if len(q) > 4*Budget+40 {
			t.Fatalf("Quote: %d bytes", len(q))
		}
		head := q
		if i := strings.LastIndex(q, "…("); i >= 0 && len(s) > Budget {
			head = q[:i]
		}
		u, err := strconv.Unquote(head)
		if err != nil || !strings.HasPrefix(s, u) {
			t.Fatalf("Quote(%q) = %q does not unquote to a prefix", s, q)
		}
	})
}
