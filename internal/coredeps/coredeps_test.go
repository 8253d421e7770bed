package coredeps

import (
	"os/exec"
	"strings"
	"testing"
)

// core lists the core packages.
var core = []string{"signing", "cookie", "proxy", "session", "messages", "csrf", "secure"}

// TestCoreDependencies runs go list -deps on the core packages and fails
// on any dependency outside the standard library, the module itself and
// golang.org/x/crypto (with the x/sys it needs), naming the integrations'
// frameworks in particular.
func TestCoreDependencies(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command, which runs this test, is not on PATH: %v", err)
	}
	args := []string{"list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}"}
	for _, p := range core {
		args = append(args, "github.com/tetherweb/tether/"+p)
	}
	out, err := exec.Command(goTool, args...).Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var deps []string
	for _, dep := range strings.Fields(string(out)) {
		deps = append(deps, dep)
		for _, banned := range []string{"github.com/a-h/templ", "github.com/go-chi/", "github.com/labstack/", "github.com/gin-gonic/"} {
			if strings.HasPrefix(dep, banned) {
				t.Errorf("a core package depends on %s", dep)
			}
		}
		if !strings.HasPrefix(dep, "github.com/tetherweb/tether/") && !strings.HasPrefix(dep, "golang.org/x/crypto/") &&
			!strings.HasPrefix(dep, "golang.org/x/sys/") {
			t.Errorf("a core package depends on %s, outside the standard library and golang.org/x/crypto", dep)
		}
	}
	for _, p := range core {
		if !strings.Contains(" "+strings.Join(deps, " ")+" ", " github.com/tetherweb/tether/"+p+" ") {
			t.Errorf("go list did not list %s: %q", p, deps)
		}
	}
}

// TestExamplesImportNoInternal: an example's wiring must be copyable into
// an application, which cannot import tether's internal packages; so no
// example program (its tests aside) imports one.
func TestExamplesImportNoInternal(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command, which runs this test, is not on PATH: %v", err)
	}
	out, err := exec.Command(goTool, "list", "-f", "{{.ImportPath}}: {{join .Imports \" \"}}", "github.com/tetherweb/tether/examples/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, imports, _ := strings.Cut(line, ": ")
		for _, imp := range strings.Fields(imports) {
			if strings.HasPrefix(imp, "github.com/tetherweb/tether/internal/") || strings.HasPrefix(imp, "github.com/tetherweb/tether/store/internal/") {
				t.Errorf("%s imports %s", pkg, imp)
			}
		}
	}
}
