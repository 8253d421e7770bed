package storeid_test

import (
	"fmt"

	"github.com/tetherweb/tether/internal/storeid"
	"github.com/tetherweb/tether/session"
)

func ExampleValid() {
	key := session.NewKey()
	fmt.Println(storeid.Valid(session.HashKey(key), true))
	fmt.Println(storeid.Valid(key, true), storeid.Valid(key, false))
	fmt.Println(storeid.Valid("../../etc/passwd", false))
	// Output:
	// true
	// false true
	// false
}
