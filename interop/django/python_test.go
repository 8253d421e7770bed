package djangointerop

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
)

// probePython finds, once per test binary, an interpreter that can import
// django: TETHER_DJANGO_PYTHON if set, else /usr/bin/python3, else python3
// on PATH. It returns the path, or "" and why none was found.
var probePython = sync.OnceValues(func() (string, string) {
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

// djangoPython returns the path of a Python interpreter that can import
// django. Without one it skips the test, or fails it when
// TETHER_REQUIRE_SERVICES is set (CI), so a missing Django never passes
// silently there.
func djangoPython(t testing.TB) string {
	t.Helper()
	path, why := probePython()
	if path != "" {
		return path
	}
	if os.Getenv("TETHER_REQUIRE_SERVICES") != "" {
		t.Fatalf("no Python interpreter with Django (TETHER_REQUIRE_SERVICES is set): %s", why)
	}
	t.Skipf("no Python interpreter with Django (set TETHER_DJANGO_PYTHON): %s", why)
	return ""
}

// runPython runs script (a path relative to this package's directory) with
// the Django interpreter and the given arguments, feeding it stdin, and
// returns its standard output. A non-zero exit fails the test with the
// script's standard error.
func runPython(t testing.TB, script string, stdin []byte, args ...string) []byte {
	t.Helper()
	python := djangoPython(t)
	cmd := exec.CommandContext(t.Context(), python, append([]string{script}, args...)...)
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1", "PYTHONIOENCODING=utf-8")
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s %s: %v\n%s", python, script, strings.Join(args, " "), err, stderr.String())
	}
	return stdout.Bytes()
}
