package session_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/tetherweb/tether/session"
)

// dropFirst removes the first element of a queue, deleting the key when
// nothing is left.
func dropFirst(q []string, ok bool) ([]string, bool) {
	if !ok || len(q) == 0 {
		return nil, false
	}
	q = q[1:]
	return q, len(q) > 0
}

func TestUpdateOrDeleteDeletes(t *testing.T) {
	e := newEnv(t)
	c := e.login(map[string]any{"q": []string{"a"}, "keep": 1})
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		s := session.From(r)
		got, kept, err := session.UpdateOrDelete(s, "q", dropFirst)
		if err != nil || kept || len(got) != 0 {
			t.Errorf("UpdateOrDelete = %q, %v, %v", got, kept, err)
		}
		if s.Has("q") {
			t.Error("q still there in this request")
		}
	}, "GET", "/", c)
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		if s := session.From(r); s.Has("q") || !s.Has("keep") {
			t.Errorf("next request: keys %v", s.Keys())
		}
	}, "GET", "/", c)
}

func TestUpdateOrDeleteMissingKey(t *testing.T) {
	e := newEnv(t)
	c := e.login(map[string]any{"keep": 1})
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		_, kept, err := session.UpdateOrDelete(session.From(r), "q", func(v []string, ok bool) ([]string, bool) {
			if ok {
				t.Error("ok for a missing key")
			}
			return append(v, "new"), true
		})
		if err != nil || !kept {
			t.Errorf("kept=%v err=%v", kept, err)
		}
	}, "GET", "/", c)
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		if q, _ := session.Value[[]string](session.From(r), "q"); !slices.Equal(q, []string{"new"}) {
			t.Errorf("q = %q", q)
		}
	}, "GET", "/", c)
}

// The decision to delete is taken again on the fresh record: a queue this
// request emptied but another request refilled meanwhile is kept.
func TestUpdateOrDeleteReplaysDecision(t *testing.T) {
	e := newEnv(t)
	c := e.login(map[string]any{"q": []string{"a"}})
	once := false
	e.store.beforeUpdate = func(key string) {
		if !once {
			once = true
			e.store.mutate(key, func(v map[string]json.RawMessage) {
				v["q"] = json.RawMessage(`["a","b"]`)
			})
		}
	}
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		if _, kept, err := session.UpdateOrDelete(session.From(r), "q", dropFirst); err != nil || kept {
			t.Errorf("first run: kept=%v err=%v", kept, err)
		}
	}, "GET", "/", c)
	e.serve(func(w http.ResponseWriter, r *http.Request) {
		if q, _ := session.Value[[]string](session.From(r), "q"); !slices.Equal(q, []string{"b"}) {
			t.Errorf("after the replay q = %q, want [b]", q)
		}
	}, "GET", "/", c)
}

func TestUpdateOrDeleteWithoutMiddleware(t *testing.T) {
	if _, _, err := session.UpdateOrDelete(nil, "q", dropFirst); err != session.ErrNoMiddleware {
		t.Fatalf("err = %v", err)
	}
}
