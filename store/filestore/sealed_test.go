package filestore_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tetherweb/tether/store/filestore"
	"github.com/tetherweb/tether/testkit/storetest"
)

// TestSealedAtRest reads every file in the directory: with
// Manager.SecretKey set, no file name or content shows the session's
// values or its key.
func TestSealedAtRest(t *testing.T) {
	dir := t.TempDir()
	s, err := filestore.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	storetest.RunSealedAtRest(t, s, func(t *testing.T, _ string) []byte {
		var raw []byte
		err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(path)
			raw = append(append(raw, path+"\n"...), b...)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return raw
	})
}
