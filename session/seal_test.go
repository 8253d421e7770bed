package session_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/signing"
)

var (
	sealKey = []byte("seal-test-secret-key-0123456789")
	oldKey  = []byte("seal-test-old-secret-key-0123456789")
)

const marker = "MARKER-alice@example.com"

func sealedEnv(t *testing.T, configure ...func(*session.Manager)) *env {
	return newEnv(t, append([]func(*session.Manager){func(m *session.Manager) { m.SecretKey = sealKey }}, configure...)...)
}

// TestSealedAtRest: with a SecretKey the store holds neither the values
// nor the key, and the Manager reads them back intact.
func TestSealedAtRest(t *testing.T) {
	e := sealedEnv(t)
	c := e.login(map[string]any{"email": marker})
	rec, ok := e.store.get(c.Value)
	if !ok {
		t.Fatal("no record")
	}
	if bytes.Contains(rec.Data, []byte(marker)) || bytes.Contains(rec.Data, []byte("email")) || bytes.Contains(rec.Data, []byte(c.Value)) {
		t.Fatalf("the record shows its content: %q", rec.Data)
	}
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		if got, _ := session.Value[string](session.From(r), "email"); got != marker {
			t.Errorf("read back %q", got)
		}
	}, "GET", "/", c)
	// An operator with the secret key opens it by the key's hash.
	ci, err := session.SealCipher(sealKey)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := session.OpenRecord(ci, session.HashKey(c.Value), rec.Data)
	if err != nil || !bytes.Contains(plain, []byte(marker)) {
		t.Errorf("OpenRecord = %q, %v", plain, err)
	}
}

// TestSealedRecordRefused: a blob moved under another key, a truncated
// one and one sealed with an unknown secret each give a fresh session and
// a log line, never an error response.
func TestSealedRecordRefused(t *testing.T) {
	for name, spoil := range map[string]func(e *env, victim, other string){
		"moved": func(e *env, victim, other string) {
			r, _ := e.store.get(other)
			e.store.put(victim, r.Data)
		},
		"truncated": func(e *env, victim, _ string) {
			r, _ := e.store.get(victim)
			e.store.put(victim, r.Data[:len(r.Data)-3])
		},
		"unknown secret": func(e *env, victim, _ string) {
			foreign := sealedEnv(e.t, func(m *session.Manager) { m.SecretKey = []byte("someone else's key 0123456789") })
			fc := foreign.login(map[string]any{"email": "x"})
			r, _ := foreign.store.get(fc.Value)
			e.store.put(victim, r.Data)
		},
		"unsealed": func(e *env, victim, _ string) {
			e.store.put(victim, []byte(`{"email":"planted"}`))
		},
	} {
		t.Run(name, func(t *testing.T) {
			e := sealedEnv(t)
			victim := e.login(map[string]any{"email": marker})
			other := e.login(map[string]any{"email": "bob"})
			spoil(e, victim.Value, other.Value)
			resp := e.serve(func(w http.ResponseWriter, r *http.Request) {
				if got, ok := session.Value[string](session.From(r), "email"); ok {
					t.Errorf("read %q from a spoiled record", got)
				}
			}, "GET", "/", victim)
			if resp.StatusCode != http.StatusOK {
				t.Errorf("status %d", resp.StatusCode)
			}
			if c := sessionCookie(resp); c == nil || c.MaxAge >= 0 {
				t.Errorf("the cookie naming the spoiled record was not deleted: %v", resp.Header["Set-Cookie"])
			}
			if !strings.Contains(e.logs.String(), "record does not open") {
				t.Errorf("not logged: %s", e.logs.String())
			}
		})
	}
}

// TestSealFallbackKey: a record sealed with a former key opens, and its
// next write seals it with the current key.
func TestSealFallbackKey(t *testing.T) {
	e := sealedEnv(t, func(m *session.Manager) { m.SecretKey = oldKey })
	c := e.login(map[string]any{"n": 1})
	rotated := &session.Manager{Store: e.store, Now: e.clock.Now, Logger: e.mgr.Logger,
		SecretKey: sealKey, FallbackKeys: [][]byte{oldKey}}
	e.mgr = rotated
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		if n, ok := session.Value[int](session.From(r), "n"); !ok || n != 1 {
			t.Errorf("n = %d, %v under the fallback key", n, ok)
		}
		session.Update(session.From(r), "n", func(n int) int { return n + 1 })
	}, "POST", "/", c)
	rec, _ := e.store.get(c.Value)
	current, _ := session.SealCipher(sealKey) // no fallback: only the new key
	if _, err := session.OpenRecord(current, session.HashKey(c.Value), rec.Data); err != nil {
		t.Errorf("not resealed with the current key: %v", err)
	}
	old, _ := signing.NewCipher(oldKey)
	if _, err := session.OpenRecord(old, session.HashKey(c.Value), rec.Data); err == nil {
		t.Error("opens with a plain cipher of the old key")
	}
}

// TestDjangoCodecNotSealed: Django must read its rows, so a DjangoCodec
// Manager stores them as Django does even with a SecretKey.
func TestDjangoCodecNotSealed(t *testing.T) {
	codec, _ := session.NewDjangoCodec(sealKey)
	e := sealedEnv(t, func(m *session.Manager) { m.Codec = codec })
	c := e.login(map[string]any{"email": marker})
	rec, _ := e.store.get(c.Value)
	if _, err := codec.Decode(rec.Data); err != nil {
		t.Errorf("the row is not Django's format: %v", err)
	}
}

// TestSealedConcurrentUpdates: conflicts reload and reopen sealed records:
// concurrent increments all land.
func TestSealedConcurrentUpdates(t *testing.T) {
	store := newFakeStore(nil)
	store.now = nowFunc()
	m := &session.Manager{Store: store, SecretKey: sealKey}
	mux := http.NewServeMux()
	mux.HandleFunc("/incr", func(w http.ResponseWriter, r *http.Request) {
		session.Update(session.From(r), "n", func(n int) int { return n + 1 })
	})
	mux.HandleFunc("/n", func(w http.ResponseWriter, r *http.Request) {
		n, _ := session.Value[int](session.From(r), "n")
		fmt.Fprint(w, n)
	})
	srv := httptest.NewServer(m.Middleware(mux))
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	client := srv.Client()
	client.Jar = jar
	resp, err := client.Get(srv.URL + "/incr")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var wg sync.WaitGroup
	for range 49 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if resp, err := client.Post(srv.URL+"/incr", "", nil); err == nil {
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()
	resp, err = client.Get(srv.URL + "/n")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var n int
	fmt.Fscan(resp.Body, &n)
	if n != 50 {
		t.Errorf("n = %d after 50 sealed increments", n)
	}
}

// TestDjangoCodecKeyRotation: a Django-mode row signed with a former key
// (a fallback) is read, and written back signed with the current key.
func TestDjangoCodecKeyRotation(t *testing.T) {
	oldCodec, _ := session.NewDjangoCodec(oldKey)
	e := newEnv(t, func(m *session.Manager) { m.Codec = oldCodec })
	c := e.login(map[string]any{"n": 1})
	rotated, _ := session.NewDjangoCodec(sealKey, signing.WithFallbackKeys(oldKey))
	e.mgr = &session.Manager{Store: e.store, Now: e.clock.Now, Logger: e.mgr.Logger, Codec: rotated}
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		if n, ok := session.Value[int](session.From(r), "n"); !ok || n != 1 {
			t.Errorf("n = %d, %v under the fallback key", n, ok)
		}
		session.Update(session.From(r), "n", func(n int) int { return n + 1 })
	}, "POST", "/", c)
	rec, _ := e.store.get(c.Value)
	onlyNew, _ := session.NewDjangoCodec(sealKey)
	if vals, err := onlyNew.Decode(rec.Data); err != nil || string(vals["n"]) != "2" {
		t.Errorf("not re-signed with the current key: %q, %v", vals, err)
	}
}

// TestSealRecordOpens: what SealRecord makes, OpenRecord opens under the
// same ID only.
func TestSealRecordOpens(t *testing.T) {
	c, _ := session.SealCipher(sealKey)
	id := session.HashKey(session.NewKey())
	sealed := session.SealRecord(c, id, []byte(`{"a":1}`))
	if got, err := session.OpenRecord(c, id, sealed); err != nil || string(got) != `{"a":1}` {
		t.Fatalf("OpenRecord = %q, %v", got, err)
	}
	if _, err := session.OpenRecord(c, session.HashKey(session.NewKey()), sealed); err == nil {
		t.Error("opened under another ID")
	}
}
