package hookwriter

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHookRunsOnceBeforeHeaders(t *testing.T) {
	for name, write := range map[string]func(w *Writer){
		"WriteHeader": func(w *Writer) { w.WriteHeader(http.StatusTeapot) },
		"Write":       func(w *Writer) { w.Write([]byte("x")) },
		"WriteString": func(w *Writer) { io.WriteString(w, "x") },
		"ReadFrom":    func(w *Writer) { w.ReadFrom(strings.NewReader("x")) },
		"Flush":       func(w *Writer) { w.Flush() },
		"Finish":      func(w *Writer) { w.Finish() },
		"Controller":  func(w *Writer) { http.NewResponseController(w).Flush() },
	} {
		t.Run(name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			calls, got := 0, 0
			w := New(rec, func(code int) {
				calls++
				got = code
				w := rec.Header()
				w.Set("X-Hook", "1")
			})
			write(w)
			write(w)
			w.Finish()
			if calls != 1 {
				t.Fatalf("hook ran %d times", calls)
			}
			if got == 0 || rec.Result().Header.Get("X-Hook") != "1" {
				t.Fatalf("hook code %d, header %q", got, rec.Result().Header.Get("X-Hook"))
			}
			if !w.Fired() {
				t.Fatal("Fired is false")
			}
		})
	}
}

func TestInformationalStatusSkipsHook(t *testing.T) {
	ran := false
	w := New(httptest.NewRecorder(), func(int) { ran = true })
	w.WriteHeader(http.StatusEarlyHints)
	if ran {
		t.Fatal("hook ran on 103 Early Hints")
	}
	w.WriteHeader(http.StatusOK)
	if !ran {
		t.Fatal("hook did not run on 200")
	}
}

func TestHijackNotSupportedSkipsHook(t *testing.T) {
	ran := false
	w := New(httptest.NewRecorder(), func(int) { ran = true })
	if _, _, err := w.Hijack(); !errors.Is(err, http.ErrNotSupported) {
		t.Fatalf("Hijack on a recorder: %v", err)
	}
	if ran {
		t.Fatal("hook ran for a hijack that could not happen")
	}
	w.WriteHeader(http.StatusOK)
	if !ran {
		t.Fatal("hook did not run for the normal answer")
	}
}

func TestHijackRunsHook(t *testing.T) {
	code := 0
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w := New(rw, func(c int) { code = c })
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("Hijack: %v", err)
			return
		}
		conn.Write([]byte("HTTP/1.1 204 No Content\r\n\r\n"))
		conn.Close()
	}))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if code != http.StatusSwitchingProtocols {
		t.Fatalf("hook code %d, want 101", code)
	}
}
