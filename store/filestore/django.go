package filestore

import (
	"crypto/sha256"
	"encoding/binary"
	"io"
	"math/rand/v2"
	"os"
	"sync/atomic"
	"time"

	"github.com/tetherweb/tether/session"
)

// djangoConfig is what WithDjangoLayout sets.
type djangoConfig struct {
	cookieName string
	cookieAge  time.Duration
}

// WithDjangoLayout makes the store read and write Django's file session
// backend (SESSION_ENGINE "django.contrib.sessions.backends.file") in its
// directory, Django's SESSION_FILE_PATH, so that a Go app and a Django app
// with the same SECRET_KEY share their sessions:
//
//   - The file of a session is <dir>/<cookieName><key>, cookieName being
//     Django's SESSION_COOKIE_NAME ("sessionid" by default); WithPrefix and
//     WithHashKeys are overridden.
//   - Its whole content is the encoded session, without a header: give
//     the session.Manager session.NewDjangoCodec (same SECRET_KEY) as its
//     Codec, so that Django can read what Go writes and the other way
//     round.
//   - The expiry is Django's: the file's modification time plus
//     cookieAge, Django's SESSION_COOKIE_AGE (0: two weeks, Django's
//     default; use the Manager's MaxAge). The store writes a file with
//     the modification time that gives the record's expiry, so a session's
//     own SetExpiry holds on both sides; a file Django wrote expires
//     cookieAge after Django wrote it.
//
// One Django quirk is not mirrored: Django's file backend never expires a
// session that holds an integer _session_expiry (set_expiry(300)) on the
// server, only its cookie; this store expires every file at modification
// time plus cookieAge, so a file Go wrote with such an expiry dies when
// the expiry says and a file Django wrote dies cookieAge after its last
// save at the latest. The store does not read _session_expiry itself
// (it cannot verify the data), so an ISO 8601 _session_expiry that newer
// Django versions write is enforced by Django, not by this store, for
// files Django wrote.
//
// Versions for compare-and-swap come from the file: the first 64 bits of
// SHA-256(content ‖ modification time in nanoseconds), computed under the
// store's lock by Create and Update and without it by Load (from one open
// file, so content and time belong together: both sides replace files by
// rename and never write into them). So that rewriting the same data
// with the same expiry still changes the version, the store moves the
// modification time back by a varying 0 to 999 µs (a record never
// outlives its Expiry and dies at most 1 ms early): versions are distinct
// between successive writes of a key, and only probably (1000 variants
// and a 64-bit hash) across Delete and a new Create of it. Among Go processes, Create and
// Update hold the directory's lock; Django takes no lock and writes the
// whole session, last writer wins, as it does among its own processes.
//
// An empty file is a record with no data, as for Django, which reads it as
// an empty session: Django's file backend creates such a placeholder just
// before it writes a new session. Django's own temporary files
// (<cookieName><key>_out_<random>) are never taken for session files.
func WithDjangoLayout(cookieName string, cookieAge time.Duration) Option {
	return func(c *config) { c.django = &djangoConfig{cookieName: cookieName, cookieAge: cookieAge} }
}

// Django reports whether the store uses Django's file layout.
func (s *Store) Django() bool { return s.django }

// djangoExpiry is the expiry of a file modified at mtime, in Unix
// nanoseconds, clamped to what int64 holds.
func (s *Store) djangoExpiry(mtime time.Time) int64 {
	return expiryNanos(mtime.Add(s.cookieAge))
}

// djangoInspect returns the header of the Django session file p from its
// metadata alone (no version), and its size.
func (s *Store) djangoInspect(p string) (header, int64, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return header{}, 0, err
	}
	h := header{expiry: s.djangoExpiry(fi.ModTime())}
	return h, fi.Size(), nil
}

// djangoRead reads the Django session file p: its header, with the
// version, and its content.
func (s *Store) djangoRead(p string) (header, []byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return header{}, nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return header{}, nil, err
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return header{}, nil, err
	}
	h := header{version: djangoVersion(data, fi.ModTime()), expiry: s.djangoExpiry(fi.ModTime())}
	return h, data, nil
}

// djangoVersion is the version of a file holding data, modified at
// mtime: the first 64 bits of SHA-256(data ‖ mtime in Unix nanoseconds,
// big-endian), never 0.
func djangoVersion(data []byte, mtime time.Time) session.Version {
	h := sha256.New()
	h.Write(data)
	var ns [8]byte
	binary.BigEndian.PutUint64(ns[:], uint64(mtime.UnixNano()))
	h.Write(ns[:])
	var sum [sha256.Size]byte
	v := session.Version(binary.BigEndian.Uint64(h.Sum(sum[:0])))
	if v == 0 {
		v = 1
	}
	return v
}

// djangoTick varies the sub-millisecond part of the modification times
// Django's layout writes, so that successive writes of one key (also
// across Delete and Create) get distinct versions; it starts at random so
// that processes differ.
var djangoTick atomic.Uint32

func init() { djangoTick.Store(rand.Uint32()) }

// djangoStamp sets the modification time of the written temporary file
// tmp so that it expires at rec.Expiry (moved back by 0 to 999 µs to
// avoid the version old) and returns the file's version, computed from
// the time the file system kept.
func (s *Store) djangoStamp(tmp string, rec session.Record, old session.Version) (session.Version, error) {
	base := rec.Expiry.Add(-s.cookieAge).Truncate(time.Microsecond)
	tick := djangoTick.Add(1)
	mtime := base
	for i := range uint32(1000) {
		mtime = base.Add(-time.Duration((tick+i)%1000) * time.Microsecond)
		if djangoVersion(rec.Data, mtime) != old {
			break
		}
	}
	if err := os.Chtimes(tmp, time.Time{}, mtime); err != nil {
		return 0, err
	}
	fi, err := os.Stat(tmp)
	if err != nil {
		return 0, err
	}
	// A file system with coarser times than nanoseconds keeps another
	// time: the version is the one a reader will compute.
	return djangoVersion(rec.Data, fi.ModTime()), nil
}
