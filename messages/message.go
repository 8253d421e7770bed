package messages

import "html/template"

// Message is one notice. Its zero value is an empty message of level 0.
// A Message is a plain value, safe to copy and to share between goroutines.
type Message struct {
	level     Level
	text      string
	extraTags string
	levelTag  string
	safe      bool
}

// Text returns the message's text, exactly as it was added (HTML for a
// message added with AddHTML).
func (m Message) Text() string { return m.text }

// String returns the text, so that {{.}} in a template prints it (escaped by
// html/template; use HTML to keep a safe message's markup).
func (m Message) String() string { return m.text }

// Level returns the message's level.
func (m Message) Level() Level { return m.level }

// LevelTag returns the tag of the message's level ("success", ...), or ""
// for a level without a tag.
func (m Message) LevelTag() string { return m.levelTag }

// ExtraTags returns the extra tags given when the message was added,
// separated by spaces.
func (m Message) ExtraTags() string { return m.extraTags }

// Tags returns the extra tags followed by the level tag, separated by
// spaces and without empty ones, as Django's message.tags: for CSS classes.
func (m Message) Tags() string {
	switch {
	case m.extraTags == "":
		return m.levelTag
	case m.levelTag == "":
		return m.extraTags
	}
	return m.extraTags + " " + m.levelTag
}

// Safe reports whether the message was added as trusted HTML (AddHTML).
func (m Message) Safe() bool { return m.safe }

// HTML returns the message for an html/template: the text escaped, or the
// markup as is for a message added with AddHTML.
func (m Message) HTML() template.HTML {
	if m.safe {
		return template.HTML(m.text) //nolint:gosec // added as trusted HTML
	}
	return template.HTML(template.HTMLEscapeString(m.text)) //nolint:gosec // escaped
}
