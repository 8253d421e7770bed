package messages

import "strconv"

// Level is a message's importance. Any integer is a valid level; the five
// constants are Django's, and custom levels get their tag from
// Manager.Tags.
type Level int

// The levels Django defines.
const (
	LevelDebug   Level = 10
	LevelInfo    Level = 20
	LevelSuccess Level = 25
	LevelWarning Level = 30
	LevelError   Level = 40
)

// DefaultMinLevel is the minimum level of a Manager whose MinLevel is zero
// (Django's default MESSAGE_LEVEL): debug messages are not stored.
const DefaultMinLevel = LevelInfo

// defaultTags are the level tags Manager.Tags is merged over.
var defaultTags = map[Level]string{
	LevelDebug:   "debug",
	LevelInfo:    "info",
	LevelSuccess: "success",
	LevelWarning: "warning",
	LevelError:   "error",
}

// DefaultTags returns a copy of the default level tags: "debug", "info",
// "success", "warning" and "error".
func DefaultTags() map[Level]string {
	m := make(map[Level]string, len(defaultTags))
	for k, v := range defaultTags {
		m[k] = v
	}
	return m
}

// String returns the default tag of the level ("info", ...) or, for other
// levels, its number.
func (l Level) String() string {
	if t, ok := defaultTags[l]; ok {
		return t
	}
	return strconv.Itoa(int(l))
}
