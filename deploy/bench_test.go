package deploy

import (
	"testing"

	"github.com/tetherweb/tether/secure"
)

// go test -run '^$' -bench . -benchmem ./deploy/
func BenchmarkCheck(b *testing.B) {
	d := Deployment{Secure: &secure.Options{}, SecretKey: []byte("short")}
	b.ReportAllocs()
	for b.Loop() {
		Check(d)
	}
}
