package main

import (
	"crypto/rand"
	"flag"
	"fmt"
	"io"
)

func init() {
	register("keygen", "print a new random secret key", runKeygen)
}

// keyAlphabet holds characters that need no quoting in a shell, an
// environment file or a URL.
const keyAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"

// newSecretKey returns n characters drawn uniformly from keyAlphabet with
// crypto/rand (6 bits each: 64 characters carry 384 bits).
func newSecretKey(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = keyAlphabet[b[i]&63] // 64 symbols: masking keeps it uniform
	}
	return string(b)
}

func runKeygen(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("keygen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	length := fs.Int("length", 64, "number of characters (at least 50)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *length < 50 {
		fmt.Fprintln(stderr, "tether keygen: -length must be at least 50")
		return 2
	}
	fmt.Fprintln(stdout, newSecretKey(*length))
	return 0
}
