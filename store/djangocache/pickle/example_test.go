package pickle_test

import (
	"fmt"

	"github.com/tetherweb/tether/store/djangocache/pickle"
)

func Example() {
	b, err := pickle.Encode(map[string]any{"_auth_user_id": "7", "cart": []any{1, 2}})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%x\n", b)

	v, err := pickle.Decode(b)
	fmt.Println(v, err)

	// A pickle that would call os.system is refused, never run.
	_, err = pickle.Decode([]byte("\x80\x05cposix\nsystem\n."))
	fmt.Println(err)
	// The bytes are what Python 3.11 pickle.dumps(value, 5) gives.

	// Output:
	// 80059528000000000000007d94288c0d5f617574685f757365725f6964948c0137948c0463617274945d94284b014b0265752e
	// map[_auth_user_id:7 cart:[1 2]] <nil>
	// pickle: refused: opcode GLOBAL (names a class or function) at offset 2
}
