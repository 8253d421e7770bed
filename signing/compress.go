package signing

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"sync"
)

var zlibWriters = sync.Pool{New: func() any { return zlib.NewWriter(nil) }}

// deflate returns data zlib-compressed (a zlib container at the default
// level, like Python's zlib.compress) and whether that was worth it: as in
// Django, the compressed form is used only when it is at least two bytes
// shorter.
func deflate(data []byte) ([]byte, bool) {
	var buf bytes.Buffer
	buf.Grow(len(data)/2 + 16)
	w := zlibWriters.Get().(*zlib.Writer)
	w.Reset(&buf)
	w.Write(data)
	w.Close()
	zlibWriters.Put(w)
	if buf.Len() < len(data)-1 {
		return buf.Bytes(), true
	}
	return data, false
}

// inflate decompresses a zlib container, refusing output beyond limit bytes.
func inflate(z []byte, limit int) ([]byte, error) {
	r, err := zlib.NewReader(bytes.NewReader(z))
	if err != nil {
		return nil, fmt.Errorf("signing: bad compressed payload: %w", err)
	}
	defer r.Close()
	out, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
	if err != nil {
		return nil, fmt.Errorf("signing: bad compressed payload: %w", err)
	}
	if len(out) > limit {
		return nil, fmt.Errorf("%w: inflates beyond %d bytes", ErrTooLarge, limit)
	}
	return out, nil
}
