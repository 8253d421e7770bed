package filestore_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/filestore"
)

// A store in its own directory; the Manager makes these calls for you.
func Example() {
	dir, err := os.MkdirTemp("", "sessions")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)

	store, err := filestore.New(filepath.Join(dir, "tether"), filestore.WithCreateDir(true))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	key := session.NewKey()
	expiry := time.Now().Add(time.Hour)
	if _, err := store.Create(ctx, key, session.Record{Data: []byte(`{"user":"ada"}`), Expiry: expiry}); err != nil {
		fmt.Println(err)
		return
	}

	rec, _ := store.Load(ctx, key)
	fmt.Printf("loaded %s\n", rec.Data)

	// The file is named after the key's hash, not the key.
	_, err = os.Stat(filepath.Join(store.Dir(), filestore.DefaultPrefix+session.HashKey(key)))
	fmt.Println("file present:", err == nil)

	// Keys are checked before any file name is made from them.
	_, err = store.Load(ctx, "../../etc/passwd")
	fmt.Println(err)

	// A crontab or a goroutine cleans up: loop while a batch is full.
	for {
		n, err := store.DeleteExpired(ctx, 1000)
		if err != nil || n < 1000 {
			break
		}
	}
	// Output:
	// loaded {"user":"ada"}
	// file present: true
	// filestore: load: filestore: invalid session key: session: record not found
}
