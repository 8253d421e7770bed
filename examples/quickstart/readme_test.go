package main

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The README's quick start is this file: the test keeps them the same.
func TestREADMEShowsThisFile(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	code := string(src)
	code = code[strings.Index(code, "package main"):]
	if !strings.Contains(string(readme), "```go\n"+code+"```") {
		t.Fatal("README.md's quick start differs from examples/quickstart/main.go; copy the file from `package main` on into the README")
	}
}

// The quick start reports a server that cannot start (port 8000 taken,
// say by the demo) instead of exiting silently with status 0.
func TestListenErrorIsReported(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the quick start")
	}
	ln, err := net.Listen("tcp", "localhost:8000")
	if err != nil {
		t.Skipf("localhost:8000 is taken already: %v", err)
	}
	defer ln.Close()
	exe := filepath.Join(t.TempDir(), "quickstart")
	if out, err := exec.Command("go", "build", "-o", exe, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "SECRET_KEY=a test secret key that is long enough for the quick start, 0123456789")
	out, err := cmd.CombinedOutput()
	if err == nil || ctx.Err() != nil || !strings.Contains(string(out), "address already in use") {
		t.Fatalf("with its port taken the quick start exited with %v:\n%s", err, out)
	}
}
