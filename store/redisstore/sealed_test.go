package redisstore

import (
	"bytes"
	"testing"

	"github.com/tetherweb/tether/testkit/storetest"
)

// TestSealedAtRest reads every hash the store wrote through a plain Redis
// client: with Manager.SecretKey set, no field shows the session's values
// or its key.
func TestSealedAtRest(t *testing.T) {
	client := sharedClient(t)
	prefix := newPrefix(t, client)
	s := New(client, WithPrefix(prefix))
	storetest.RunSealedAtRest(t, s, func(t *testing.T, _ string) []byte {
		keys, err := keysUnder(t.Context(), client, prefix)
		if err != nil {
			t.Fatal(err)
		}
		var raw bytes.Buffer
		for _, k := range keys {
			raw.WriteString(k)
			fields, err := client.HGetAll(t.Context(), k).Result()
			if err != nil {
				t.Fatal(err)
			}
			for f, v := range fields {
				raw.WriteString(f + "=" + v + "\n")
			}
		}
		return raw.Bytes()
	})
}
