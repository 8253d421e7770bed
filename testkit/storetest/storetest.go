// Package storetest is the conformance suite every session.Store must pass.
//
// A store package runs it from its tests:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) session.Store {
//			s := mystore.New(...)
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
//
// Each subtest calls newStore for a fresh, empty store, so a store backed by
// a shared service must empty it (or use a new table, prefix or database)
// in newStore. Subtests run one after the other.
//
// The suite uses only the session.Store interface, plus session.Lister and
// session.Counter when the store implements them. Beyond the interface's
// documentation it requires:
//
//   - Expiry is kept to at least millisecond precision: a loaded Expiry
//     must be within 1ms of the one stored.
//   - A record may be created or updated with an Expiry already in the
//     past; it is stored dead (never loaded) and is what DeleteExpired
//     removes. The suite makes expired records this way instead of
//     sleeping.
//   - Create and Update copy rec.Data: the caller may reuse its buffer as
//     soon as they return. Data returned by Load never changes afterwards
//     (a later Update stores a new slice instead of writing into it).
//   - Values of LargeValueSize bytes (1 MiB) round-trip, as do arbitrary
//     bytes (NUL, 0xff, invalid UTF-8, newlines, quotes).
//   - A method called with a cancelled context returns an error matching
//     context.Canceled within a second and changes nothing.
//   - Lister IDs are either the session key or session.HashKey of it, the
//     same form for every entry.
//   - A store that implements LoadID, UpdateID and DeleteID (the
//     methods of session.Store, given the ID session.Lister lists in place
//     of the key) addresses by each listed ID the record listed under it.
package storetest

import (
	"testing"
	"time"

	"github.com/tetherweb/tether/session"
)

// Sizes the suite works with; they keep a run to a few seconds per store.
const (
	// Writers is how many goroutines race on one key in the
	// concurrent-writers test.
	Writers = 50
	// Creators is how many goroutines race to create the same key.
	Creators = 20
	// LargeValueSize is the size of the large value that must round-trip.
	LargeValueSize = 1 << 20
)

// precision is the largest difference allowed between a stored and a
// loaded Expiry.
const precision = time.Millisecond

// prompt is how long a method may take to notice a cancelled context.
const prompt = time.Second

// Options adapts the suite to what a backend cannot do. The zero value
// asks for everything; Run uses it.
type Options struct {
	// SelfExpiring says the backend drops expired records by itself (Redis
	// or memcached TTLs), so DeleteExpired may find fewer expired records
	// than were created. The suite then checks only that DeleteExpired
	// terminates, never removes live records and leaves no expired record
	// loadable, instead of counting exactly.
	SelfExpiring bool
	// MaxValueSize, when positive and smaller than LargeValueSize, is the
	// largest Data the backend accepts; the large-value test uses it
	// instead. Stores that set it must document the limit.
	MaxValueSize int
	// ContentVersions says the backend derives a record's version from
	// its content (djangocache's stores, which keep Django's entries and
	// nothing else), so writing the same bytes again gives the same
	// version. The VersionsNeverRepeat subtest, which does exactly that,
	// is then left out; every other subtest still runs, and still checks
	// that an Update changes the version when it changes the data.
	ContentVersions bool
	// ExpiryNotKept says the backend cannot give back the Expiry it was
	// given (memcached in Django's layout keeps only the item's TTL, which
	// memcached does not report), so loaded Expiry values are not compared
	// with the stored ones. Records must still die at their Expiry: the
	// Expiry, CreateDead and UpdateToPast subtests check that.
	ExpiryNotKept bool
}

// Run runs the whole conformance suite against the stores newStore makes.
// newStore must return a fresh, empty store and register its own cleanup
// with t.Cleanup.
func Run(t *testing.T, newStore func(t *testing.T) session.Store) {
	RunWithOptions(t, newStore, Options{})
}

// RunWithOptions is Run for backends with the limits that opts describes.
func RunWithOptions(t *testing.T, newStore func(t *testing.T) session.Store, opts Options) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, s session.Store, o Options)
	}{
		{"LoadMissing", testLoadMissing},
		{"CreateLoad", testCreateLoad},
		{"CreateExisting", testCreateExisting},
		{"CreateDead", testCreateDead},
		{"CreateOverExpired", testCreateOverExpired},
		{"InputNotRetained", testInputNotRetained},
		{"LoadedDataStable", testLoadedDataStable},
		{"Update", testUpdate},
		{"UpdateStale", testUpdateStale},
		{"UpdateMissing", testUpdateMissing},
		{"UpdateAfterDelete", testUpdateAfterDelete},
		{"UpdateToPast", testUpdateToPast},
		{"VersionsNeverRepeat", testVersionsNeverRepeat},
		{"DeleteIdempotent", testDeleteIdempotent},
		{"Expiry", testExpiry},
		{"DeleteExpiredLimit", testDeleteExpiredLimit},
		{"DeleteExpiredAll", testDeleteExpiredAll},
		{"ConcurrentWriters", func(t *testing.T, s session.Store, _ Options) {
			RunConcurrentWriters(t, Writers, s)
		}},
		{"ConcurrentCreates", testConcurrentCreates},
		{"DeleteWhileUpdating", testDeleteWhileUpdating},
		{"LargeValue", testLargeValue},
		{"BinaryData", testBinaryData},
		{"SimilarKeys", testSimilarKeys},
		{"Cancelled", testCancelled},
		{"Lister", testLister},
		{"Counter", testCounter},
		{"UserIndex", testUserIndex},
		{"IDs", testIDs},
	}
	for _, tc := range tests {
		if tc.name == "VersionsNeverRepeat" && opts.ContentVersions {
			t.Logf("VersionsNeverRepeat left out: the store's versions derive from the content (Options.ContentVersions)")
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, newStore(t), opts)
		})
	}
}
