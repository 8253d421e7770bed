package dsn

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/tetherweb/tether/internal/servicetest"
	"github.com/tetherweb/tether/store/cookiestore"
	"github.com/tetherweb/tether/store/tieredstore"
)

func TestRedis(t *testing.T) {
	addr := servicetest.RedisAddr(t)
	s, err := Open("redis://" + addr + "/0?prefix=tether-dsn-test:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	roundTrip(t, s)
}

func TestRedisClusterParsing(t *testing.T) {
	s, err := Open("redis-cluster://127.0.0.1:1,127.0.0.1:2?prefix=p:")
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open("redis-cluster://"); err == nil {
		t.Fatal("empty cluster accepted")
	}
}

func TestMemcached(t *testing.T) {
	s, err := Open("memcached://" + servicetest.MemcachedAddr(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	roundTrip(t, s)
	if _, err := Open("memcached://"); err == nil {
		t.Fatal("memcached:// without a host accepted")
	}
}

func TestCookie(t *testing.T) {
	if _, err := Open("cookie:"); err == nil || !strings.Contains(err.Error(), "secret key") {
		t.Fatalf("cookie: without a key: %v", err)
	}
	s, err := OpenWith("cookie:", Options{SecretKey: []byte("k")})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Cookie.(*cookiestore.Store); !ok {
		t.Fatalf("cookie: gave %T", s.Store)
	}
}

func TestTiered(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	s, err := Open("tiered:memory:+sqlite:" + db + "?table=django_session")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, ok := s.Store.(*tieredstore.Store); !ok || !s.Django {
		t.Fatalf("tiered gave %T (django %v)", s.Store, s.Django)
	}
	roundTrip(t, s)
	for _, bad := range []string{"tiered:memory:", "tiered:memory:+nosuch:x", "tiered:"} {
		if _, err := Open(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
