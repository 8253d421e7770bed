package deploy

import (
	"cmp"
	"slices"
	"strings"
)

// Warning is one finding of Check or CheckSite, in the shape of a Django
// system-check message.
type Warning struct {
	// ID names the check: Django's ("security.W004") where Django has the
	// same check, "tether.Wnnn" for tether's own. An "E" after the dot
	// marks an error: a setting that is invalid, not merely weak.
	ID string
	// Message says what is wrong.
	Message string
	// Hint says how to fix it; it may be empty.
	Hint string
}

// IsError reports whether w is an error (an ID such as "security.E023")
// rather than a warning.
func (w Warning) IsError() bool {
	_, code, _ := strings.Cut(w.ID, ".")
	return strings.HasPrefix(code, "E")
}

// String formats w as Django's check command prints it: "?: (ID) message",
// then the hint on its own line after a tab.
func (w Warning) String() string {
	s := "?: (" + w.ID + ") " + w.Message
	if w.Hint != "" {
		s += "\n\tHINT: " + w.Hint
	}
	return s
}

// sortWarnings orders ws by ID (Django's before tether's, errors before
// warnings within each) and drops exact duplicates, which CheckSite gets
// when several responses have the same fault.
func sortWarnings(ws []Warning) []Warning {
	slices.SortStableFunc(ws, func(a, b Warning) int { return cmp.Compare(a.ID, b.ID) })
	return slices.Compact(ws)
}
