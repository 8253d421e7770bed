package sqlstore

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tetherweb/tether/session"
)

// DjangoTableName is the name of Django's session table, the default table
// of [WithDjangoTable] mode.
const DjangoTableName = "django_session"

// WithDjangoTable makes the store keep its records in Django's session table
// (django.contrib.sessions' db backend), so that a Go app and a Django app
// sharing the database and the SECRET_KEY share their sessions. The
// table is "django_session" unless [WithTable] names another one, and has
// Django's columns:
//
//	session_key   varchar(40) primary key  the session key itself (never hashed)
//	session_data  text                     the codec's bytes (Django's signed blob)
//	expire_date   datetime                 the expiry, in the form Django writes
//
// expire_date is a timestamptz on PostgreSQL, a naive UTC datetime(6) on
// MySQL/MariaDB and, on SQLite, the text "YYYY-MM-DD HH:MM:SS[.ffffff]" in
// UTC (Python's str(datetime): the fraction only when it is not zero),
// which SQLite compares as text; the store writes and compares these
// forms, never RFC 3339. Expiry instants are kept to the microsecond.
//
// The store relies on that precision: on its first use, and in
// [Store.Migrate], it checks that an existing table's expire_date keeps
// microseconds (DATETIME_PRECISION 6 on MySQL/MariaDB; timestamp with
// time zone of precision 6 on PostgreSQL) and otherwise fails, naming the
// column, with every call. A datetime without fractional seconds (tables
// made before MySQL 5.6.4, or by hand) would make the server round the
// expiry the store writes, up to half a second later than asked, and the
// version the store computes from the text it wrote would never be the
// stored row's, so every Update would conflict. ALTER the column to
// datetime(6) (MySQL) or timestamp with time zone (PostgreSQL), as
// Django's migration creates it. SQLite keeps the text as written:
// nothing to check.
//
// Configure the session.Manager with session.NewDjangoCodec (same
// SECRET_KEY) for Django to read the data; the store writes the codec's
// bytes as they are. Data that a text column cannot hold (anything but
// ASCII without NUL, or starting with '!') is stored as "!b64:" and its
// standard base64; the Django and JSON codecs never produce such data, and
// Django sees such a row as a corrupt, empty session.
//
// The store never creates or alters Django's table on its own: Django's
// migration (manage.py migrate) makes it. [Store.Migrate] creates it,
// with Django's DDL and index names, only when it does not exist, which
// serves tests and Go-only deployments; [WithAutoMigrate](true) makes the
// store do that on first use. WithDjangoTable cannot be combined with
// WithHashKeys(true): New fails.
//
// # Versions
//
// Django's table has no version column: a record's version is derived
// from the row, the first 64 bits of SHA-256(session_data ‖ expire_date
// as text), computed by the database in the compare-and-swap UPDATE …
// WHERE session_key = ? AND <that hash> = ? AND expire_date > now (one
// round trip, as in tether mode; on SQLite the hash is a Go function this
// package's store/sqlstore/sqlite registers with modernc.org/sqlite's
// driver "sqlite" (see [SQLiteVersionFunction]), so Django mode on SQLite
// needs a *sql.DB opened with sql.Open("sqlite", …) or sqlite.Open). Two states of a record with equal data and expiry have the
// same version, which is harmless: compare-and-swap then applies changes
// to exactly the state the caller loaded (the ABA case cannot lose an
// update). So that rewriting the same data and expiry still changes the
// version, the store moves the stored expiry back by a varying 0–999 µs
// (so a record never outlives its Expiry, and dies at most 1 ms early, as
// in tether mode), and an Update never leaves the version it replaced.
// Versions are thus distinct between successive writes of a key, but only
// probably (with 1000 sub-millisecond variants and a 64-bit hash) across
// delete and re-create.
func WithDjangoTable() Option {
	return func(c *config) { c.django = true }
}

// djangoIndexName is the name Django's schema editor gives the index of
// table's column (BaseDatabaseSchemaEditor._create_index_name):
// "<table>_<column>_<8 hex digits of MD5(table ‖ column)><suffix>",
// shortened to maxLen (0: 200, Django's default) as Django shortens it.
// For django_session it gives django_session_expire_date_a5c62663 and
// django_session_session_key_c0390e0f_like.
func djangoIndexName(tableName, column, suffix string, maxLen int) string {
	if maxLen <= 0 {
		maxLen = 200
	}
	sum := md5.Sum([]byte(tableName + column))
	hashSuffix := hex.EncodeToString(sum[:])[:8] + suffix
	name := tableName + "_" + column + "_" + hashSuffix
	if len(name) <= maxLen {
		return name
	}
	if len(hashSuffix) > maxLen/3 {
		hashSuffix = hashSuffix[:maxLen/3]
	}
	other := (maxLen-len(hashSuffix))/2 - 1
	name = tableName[:min(other, len(tableName))] + "_" + column[:min(other, len(column))] + "_" + hashSuffix
	if name[0] == '_' || (name[0] >= '0' && name[0] <= '9') {
		name = "D" + name[:len(name)-1]
	}
	return name
}

// djangoEscape marks data stored base64-encoded in Django's text column.
const djangoEscape = "!b64:"

// djangoData is data as Django's text column keeps it: as is when it is
// ASCII without NUL and does not start with '!' (every Django or JSON
// codec record), else djangoEscape and its base64.
func djangoData(b []byte) string {
	plain := len(b) == 0 || b[0] != '!'
	for _, c := range b {
		if c == 0 || c >= 0x80 {
			plain = false
			break
		}
	}
	if plain {
		return string(b)
	}
	return djangoEscape + base64.StdEncoding.EncodeToString(b)
}

// djangoDataBack undoes djangoData; text written by others is returned as
// it is.
func djangoDataBack(b []byte) []byte {
	if !bytes.HasPrefix(b, []byte(djangoEscape)) {
		return b
	}
	out, err := base64.StdEncoding.AppendDecode(nil, b[len(djangoEscape):])
	if err != nil {
		return b
	}
	return out
}

// djangoVersionOf is a Django row's version: the first 64 bits of
// SHA-256(data ‖ expiry text), big-endian, as the dialects' djangoVersion
// expression computes them in hex. The data is the stored text.
func djangoVersionOf(data, expiryText string) uint64 {
	h := sha256.New()
	io.WriteString(h, data)
	io.WriteString(h, expiryText)
	var sum [sha256.Size]byte
	return binary.BigEndian.Uint64(h.Sum(sum[:0]))
}

// DjangoRowVersion is the version of a row of Django's table in 16
// lowercase hex digits: the first 64 bits of SHA-256(data ‖ expiryText),
// the expiry as the dialect renders it. store/sqlstore/sqlite registers it
// as the SQL function [SQLiteVersionFunction].
func DjangoRowVersion(data, expiryText string) string {
	return versionHex(djangoVersionOf(data, expiryText))
}

func versionHex(v uint64) string {
	s := strconv.FormatUint(v, 16)
	return strings.Repeat("0", 16-len(s)) + s
}

// parseVersionHex reads a version the database computed.
func parseVersionHex(s string) (session.Version, bool) {
	if len(s) != 16 {
		return 0, false
	}
	v, err := strconv.ParseUint(s, 16, 64)
	if err != nil {
		return 0, false
	}
	if v == 0 {
		// One row in 2^64 hashes to 0, which is not a version. It then
		// reads as 1, which no Update will match: such a row can be
		// loaded and deleted, not updated.
		v = 1
	}
	return session.Version(v), true
}

// djangoTick varies the sub-millisecond part of the expiry instants Django
// mode writes; it starts at random so that processes differ.
var djangoTick atomic.Uint32

func init() { djangoTick.Store(rand.Uint32()) }

// djangoExpiry chooses the stored expire_date for a record written with
// data (stored form) and expiry: expiry truncated to the microsecond and
// moved back by 0 to 999 µs, chosen so that the row's version is neither
// 0 nor avoid (the version an Update replaces). It returns the instant,
// its text and the version.
func (s *Store) djangoExpiry(data string, expiry time.Time, avoid session.Version) (time.Time, string, session.Version) {
	base := expiry.UTC().Truncate(time.Microsecond)
	tick := djangoTick.Add(1)
	for i := uint32(0); ; i++ {
		t := base.Add(-time.Duration((tick+i)%1000) * time.Microsecond)
		text := s.d.djangoText(t)
		v := session.Version(djangoVersionOf(data, text))
		if v != 0 && v != avoid {
			return t, text, v
		}
	}
}

// djangoNow is the current time as Django mode compares it with
// expire_date: truncated to the microsecond, in the dialect's form.
func (s *Store) djangoNow() (time.Time, any) {
	now := s.now().UTC().Truncate(time.Microsecond)
	return now, s.d.djangoTime(now)
}

// parseDjangoExpiry reads an expire_date as djangoExpiryText gives it.
func parseDjangoExpiry(text string) (time.Time, error) {
	return time.Parse("2006-01-02 15:04:05.999999999", strings.TrimSpace(text))
}
