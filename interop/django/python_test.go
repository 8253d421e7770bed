package djangointerop

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/tetherweb/tether/testkit/servicetest"
)

// djangoPython returns the path of a Python interpreter that can import
// django (servicetest.DjangoPython: TETHER_DJANGO_PYTHON, else
// /usr/bin/python3, else python3 on PATH). Without one it skips the test,
// or fails it when TETHER_REQUIRE_SERVICES is set (CI), so a missing
// Django never passes silently there.
func djangoPython(t testing.TB) string {
	t.Helper()
	return servicetest.DjangoPython(t)
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
