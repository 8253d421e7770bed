package signing_test

import (
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/tetherweb/tether/signing"
)

// A Signer appends a signature; Unsign returns the value only if the
// signature matches.
func ExampleNewSigner() {
	s, err := signing.NewSigner([]byte("my-secret-key"))
	if err != nil {
		log.Fatal(err)
	}
	signed := s.Sign("hello")
	fmt.Println(signed) // Django's Signer(key="my-secret-key").sign("hello") is the same

	value, err := s.Unsign(signed)
	fmt.Println(value, err)

	_, err = s.Unsign("hellO" + signed[5:])
	fmt.Println(errors.Is(err, signing.ErrBadSignature))
	// Output:
	// hello:3U3Yyj46q4bolRVf2K5Nu3vbKj5IxI52tLZAjWxFFOA
	// hello <nil>
	// true
}

// A TimestampSigner refuses values older than the maximum age with an
// error matching ErrExpired. The clocks are frozen so the output is
// deterministic.
func ExampleTimestampSigner_Unsign() {
	signedAt := time.Date(2023, 11, 14, 22, 13, 20, 0, time.UTC)
	clock := func() time.Time { return signedAt }
	s, err := signing.NewTimestampSigner([]byte("my-secret-key"), signing.WithClock(clock))
	if err != nil {
		log.Fatal(err)
	}
	signed := s.Sign("hello")
	fmt.Println(signed)

	// Ten minutes later.
	later, err := signing.NewTimestampSigner([]byte("my-secret-key"),
		signing.WithClock(func() time.Time { return signedAt.Add(10 * time.Minute) }))
	if err != nil {
		log.Fatal(err)
	}
	value, err := later.Unsign(signed, time.Hour)
	fmt.Println(value, err)

	_, err = later.Unsign(signed, 5*time.Minute)
	fmt.Println(errors.Is(err, signing.ErrExpired), errors.Is(err, signing.ErrBadSignature))
	fmt.Println(err)
	// Output:
	// hello:1r31eq:dq81Q6gdf8dRlEECkMM75-IPi9Nc7ouRIWgXNJHLMqs
	// hello <nil>
	// true false
	// signing: signature age 10m0s > 5m0s
}

// Dumps signs any JSON-encodable value in the format of Django's
// signing.dumps; Loads verifies and decodes it.
func ExampleDumps() {
	key := []byte("my-secret-key")
	clock := signing.WithClock(func() time.Time { return time.Unix(1700000000, 0) })
	signed, err := signing.Dumps(map[string]any{"user": 42, "name": "Zoë"}, key, clock)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(signed) // what Django's dumps writes for this dict at that second

	var v struct {
		User int    `json:"user"`
		Name string `json:"name"`
	}
	if err := signing.Loads(signed, &v, key, signing.WithMaxAge(time.Hour), clock); err != nil {
		log.Fatal(err)
	}
	fmt.Println(v.User, v.Name)
	// Output:
	// eyJuYW1lIjoiWm9cdTAwZWIiLCJ1c2VyIjo0Mn0:1r31eq:RnHGShSjmSXQTwHWzVwzHfnUyni6pAd5n7Q7bcwvx_Y
	// 42 Zoë
}

// A Cipher seals a value so that it can be neither read nor altered; the
// additional data (here a cookie name) must be given again to open it.
// Sealed values differ every time (random nonce) but always open.
func ExampleCipher() {
	c, err := signing.NewCipher([]byte("my-secret-key"), signing.WithSalt("cart cookie"))
	if err != nil {
		log.Fatal(err)
	}
	sealed := c.Seal([]byte("card ending 4242"), []byte("cart"))
	fmt.Println(len(sealed), sealed != c.Seal([]byte("card ending 4242"), []byte("cart")))

	plaintext, err := c.Open(sealed, []byte("cart"))
	fmt.Printf("%s %v\n", plaintext, err)

	_, err = c.Open(sealed, []byte("another-cookie"))
	fmt.Println(errors.Is(err, signing.ErrDecrypt))
	// Output:
	// 76 true
	// card ending 4242 <nil>
	// true
}
