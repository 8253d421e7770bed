// Package testkit holds tether's test harnesses, for tests only: no
// production package imports them, and they carry no compatibility
// promise.
//
//   - storetest: the conformance suite every session.Store passes (a store
//     of your own can run it too)
//   - faultproxy: a TCP proxy that cuts and restores connections, for
//     fault tests against PostgreSQL, MariaDB, Redis or memcached
//   - servicetest: the test services' addresses, from the environment,
//     skipping (or, with TETHER_REQUIRE_SERVICES=1, failing) when absent
//
// The production helpers that are no public API (hookwriter, vary) live
// under internal/, and the network stores' error classification under
// store/internal/neterr; the package graph then has no arrow running up
// from a helper to the packages that use it.
package testkit
