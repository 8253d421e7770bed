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

// Django's file backend and a Go app on one SESSION_FILE_PATH: the files
// are Django's, "sessionid" followed by the key, holding the session as
// Django encodes it.
func ExampleWithDjangoLayout() {
	dir, err := os.MkdirTemp("", "django-sessions")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)

	store, err := filestore.New(dir, filestore.WithDjangoLayout("sessionid", 0)) // 0: SESSION_COOKIE_AGE's default
	if err != nil {
		fmt.Println(err)
		return
	}
	codec, err := session.NewDjangoCodec([]byte("Django's SECRET_KEY"))
	if err != nil {
		fmt.Println(err)
		return
	}
	mgr := &session.Manager{Store: store, Codec: codec}
	_ = mgr // mgr.Middleware(app)

	key := "o85gtsxrkbx3n5thi70gq8dufd5yhps6"
	data, _ := codec.Encode(map[string][]byte{"cart": []byte("[1,2,3]")})
	if _, err := store.Create(context.Background(), key, session.Record{Data: data, Expiry: time.Now().Add(time.Hour)}); err != nil {
		fmt.Println(err)
		return
	}
	names, _ := filepath.Glob(filepath.Join(dir, "sessionid*"))
	fmt.Println(filepath.Base(names[0]))
	// Output: sessionido85gtsxrkbx3n5thi70gq8dufd5yhps6
}
