// Package servicetest finds the services integration tests talk to. Each
// service's address comes from an environment variable with a default for
// this machine; when the service does not answer, the test is skipped, or
// fails when TETHER_REQUIRE_SERVICES is set (as CI sets it), so CI never
// skips silently.
package servicetest

import (
	"bytes"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Defaults of the service addresses.
const (
	DefaultPostgresDSN   = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	DefaultMySQLDSN      = "root@tcp(127.0.0.1:3306)/test"
	DefaultRedisAddr     = "127.0.0.1:6379"
	DefaultMemcachedAddr = "127.0.0.1:11211"
)

// Required reports whether missing services fail tests instead of skipping
// them (TETHER_REQUIRE_SERVICES is set).
func Required() bool { return os.Getenv("TETHER_REQUIRE_SERVICES") != "" }

// Unavailable skips the test, or fails it when services are required.
func Unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	if Required() {
		t.Fatalf("required service unavailable: "+format, args...)
	}
	t.Skipf("service unavailable: "+format, args...)
}

// env returns the variable's value, or def.
func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// reachable reports whether a TCP connection to addr opens.
func reachable(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// need returns value after checking that addr answers.
func need(t testing.TB, name, variable, value, addr string) string {
	t.Helper()
	if !reachable(addr) {
		Unavailable(t, "%s at %s (set %s)", name, addr, variable)
	}
	return value
}

// PostgresDSN returns TETHER_POSTGRES_DSN (or the default) once the server
// answers.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	dsn := env("TETHER_POSTGRES_DSN", DefaultPostgresDSN)
	addr := "127.0.0.1:5432"
	if u, err := url.Parse(dsn); err == nil && u.Host != "" {
		addr = u.Host
		if !strings.Contains(addr, ":") {
			addr += ":5432"
		}
	}
	return need(t, "PostgreSQL", "TETHER_POSTGRES_DSN", dsn, addr)
}

// MySQLDSN returns TETHER_MYSQL_DSN (go-sql-driver form, or the default)
// once the server answers.
func MySQLDSN(t testing.TB) string {
	t.Helper()
	dsn := env("TETHER_MYSQL_DSN", DefaultMySQLDSN)
	addr := "127.0.0.1:3306"
	if i := strings.Index(dsn, "tcp("); i >= 0 {
		if j := strings.Index(dsn[i:], ")"); j > 0 {
			addr = dsn[i+4 : i+j]
		}
	}
	return need(t, "MySQL/MariaDB", "TETHER_MYSQL_DSN", dsn, addr)
}

// RedisAddr returns TETHER_REDIS_ADDR (or the default) once Redis answers.
func RedisAddr(t testing.TB) string {
	t.Helper()
	addr := env("TETHER_REDIS_ADDR", DefaultRedisAddr)
	return need(t, "Redis", "TETHER_REDIS_ADDR", addr, addr)
}

// MemcachedAddr returns TETHER_MEMCACHED_ADDR (or the default) once
// memcached answers.
func MemcachedAddr(t testing.TB) string {
	t.Helper()
	addr := env("TETHER_MEMCACHED_ADDR", DefaultMemcachedAddr)
	return need(t, "memcached", "TETHER_MEMCACHED_ADDR", addr, addr)
}

// probeDjango finds, once per test binary, a Python interpreter that can
// import django: TETHER_DJANGO_PYTHON if set, else /usr/bin/python3 (where
// Debian's python3-django is importable), else python3 on PATH. It returns
// the path, or "" and why none was found.
var probeDjango = sync.OnceValues(func() (string, string) {
	candidates := []string{"/usr/bin/python3", "python3"}
	if env := os.Getenv("TETHER_DJANGO_PYTHON"); env != "" {
		candidates = []string{env}
	}
	var reasons []string
	for _, c := range candidates {
		path, err := exec.LookPath(c)
		if err != nil {
			reasons = append(reasons, fmt.Sprintf("%s: %v", c, err))
			continue
		}
		out, err := exec.Command(path, "-c", "import django").CombinedOutput()
		if err != nil {
			reasons = append(reasons, fmt.Sprintf("%s: import django: %v: %s", path, err, bytes.TrimSpace(out)))
			continue
		}
		return path, ""
	}
	return "", strings.Join(reasons, "; ")
})

// DjangoPython returns the path of a Python interpreter that can import
// django (TETHER_DJANGO_PYTHON, else /usr/bin/python3, else python3), or
// skips the test (fails it when services are required).
func DjangoPython(t testing.TB) string {
	t.Helper()
	path, why := probeDjango()
	if path == "" {
		Unavailable(t, "no Python interpreter with Django (set TETHER_DJANGO_PYTHON): %s", why)
	}
	return path
}

// Stop sends SIGSTOP to the process pid and waits (up to 5 s) until the
// kernel reports it stopped, so that a test's next request cannot slip in
// before the pause takes effect on a busy machine.
func Stop(t testing.TB, pid int) {
	t.Helper()
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatalf("SIGSTOP %d: %v", pid, err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return // no /proc: the signal is all we can do
		}
		// The state follows the command name in parentheses.
		if i := bytes.LastIndexByte(b, ')'); i >= 0 && i+2 < len(b) && (b[i+2] == 'T' || b[i+2] == 't') {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("process %d did not stop", pid)
		}
		time.Sleep(time.Millisecond)
	}
}
