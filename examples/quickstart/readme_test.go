package main

import (
	"os"
	"strings"
	"testing"
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
