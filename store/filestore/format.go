package filestore

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/tetherweb/tether/session"
)

// The header line that starts every session file:
//
//	tether-session v1 <version> <expiry unix nanoseconds>\n
const magic = "tether-session v1 "

// maxHeader bounds the header line: the magic, two 20-character numbers,
// a space and the newline.
const maxHeader = len(magic) + 20 + 1 + 20 + 1

// header is the parsed header line of a session file.
type header struct {
	version session.Version
	expiry  int64 // Unix nanoseconds
	size    int   // length of the header line, newline included
}

// live reports whether the record may be loaded at time now.
func (h header) live(now time.Time) bool { return h.expiry > now.UnixNano() }

func (h header) expiryTime() time.Time { return time.Unix(0, h.expiry) }

// appendHeader appends the header line for version v and expiry (Unix
// nanoseconds) to b.
func appendHeader(b []byte, v session.Version, expiry int64) []byte {
	b = append(b, magic...)
	b = strconv.AppendUint(b, uint64(v), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, expiry, 10)
	return append(b, '\n')
}

// parseHeader parses the header line at the start of b. Its errors wrap
// ErrCorrupt.
func parseHeader(b []byte) (header, error) {
	if len(b) > maxHeader {
		b = b[:maxHeader]
	}
	nl := bytes.IndexByte(b, '\n')
	if nl < 0 {
		return header{}, fmt.Errorf("%w: no header line", ErrCorrupt)
	}
	line := b[:nl]
	if !bytes.HasPrefix(line, []byte(magic)) {
		return header{}, fmt.Errorf("%w: not a session file of this format", ErrCorrupt)
	}
	vs, es, ok := bytes.Cut(line[len(magic):], []byte{' '})
	if !ok || !digits(vs) {
		return header{}, fmt.Errorf("%w: malformed header", ErrCorrupt)
	}
	v, err := strconv.ParseUint(string(vs), 10, 64)
	if err != nil || v == 0 {
		return header{}, fmt.Errorf("%w: bad version", ErrCorrupt)
	}
	if len(es) > 0 && es[0] == '-' {
		if !digits(es[1:]) {
			return header{}, fmt.Errorf("%w: bad expiry", ErrCorrupt)
		}
	} else if !digits(es) {
		return header{}, fmt.Errorf("%w: bad expiry", ErrCorrupt)
	}
	e, err := strconv.ParseInt(string(es), 10, 64)
	if err != nil {
		return header{}, fmt.Errorf("%w: bad expiry", ErrCorrupt)
	}
	return header{version: session.Version(v), expiry: e, size: nl + 1}, nil
}

// digits reports whether b is a non-empty run of decimal digits.
func digits(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// inspect reads the header of the session file p and, when withSize is
// set, the length of its data. Its errors match fs.ErrNotExist for a
// missing file and ErrCorrupt for one that does not parse. In Django's
// layout the header comes from the file's metadata and carries no version
// (see djangoInspect).
func (s *Store) inspect(p string, withSize bool) (header, int64, error) {
	if s.django {
		return s.djangoInspect(p)
	}
	f, err := os.Open(p)
	if err != nil {
		return header{}, 0, err
	}
	defer f.Close()
	var buf [maxHeader]byte
	n, err := io.ReadFull(f, buf[:])
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return header{}, 0, err
	}
	h, err := parseHeader(buf[:n])
	if err != nil || !withSize {
		return h, 0, err
	}
	fi, err := f.Stat()
	if err != nil {
		return header{}, 0, err
	}
	return h, fi.Size() - int64(h.size), nil
}

// readHeader reads the header of the session file p, with its version;
// see inspect. In Django's layout it reads the whole file (see
// djangoRead).
func (s *Store) readHeader(p string) (header, error) {
	if s.django {
		h, _, err := s.djangoRead(p)
		return h, err
	}
	h, _, err := s.inspect(p, false)
	return h, err
}
