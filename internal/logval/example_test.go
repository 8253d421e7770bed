package logval_test

import (
	"fmt"
	"strings"

	"github.com/tetherweb/tether/internal/logval"
)

func ExampleQuote() {
	fmt.Println(logval.Quote("/posts/1\nlevel=ERROR"))
	fmt.Println(logval.Quote(strings.Repeat("a", 900_000))[logval.Budget:])
	// Output:
	// "/posts/1\nlevel=ERROR"
	// a"…(900000 bytes)
}
