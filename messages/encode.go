package messages

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/tetherweb/tether/signing"
)

// The markers of Django's message encoding (django.contrib.messages.storage.cookie).
const (
	// messageKey starts the JSON array of an encoded message.
	messageKey = "__json_message"
	// notFinished ends a cookie that could not hold every message.
	notFinished = "__messagesnotfinished__"
)

// errBadEncoding is wrapped by every decoding failure.
var errBadEncoding = errors.New("messages: malformed message encoding")

// appendMessage appends m as Django's MessageEncoder writes it:
// ["__json_message",SAFE,LEVEL,TEXT(,EXTRA_TAGS)], with Python's compact
// separators, or its default ones (", ") when spaced is set. Empty extra
// tags are left out, as Django 3.2 to 4.0 do; every version reads that as
// no extra tags.
func appendMessage(dst []byte, m Message, spaced bool) []byte {
	sep := ","
	if spaced {
		sep = ", "
	}
	dst = append(dst, `["`+messageKey+`"`...)
	dst = append(dst, sep...)
	if m.safe {
		dst = append(dst, '1')
	} else {
		dst = append(dst, '0')
	}
	dst = append(dst, sep...)
	dst = strconv.AppendInt(dst, int64(m.level), 10)
	dst = append(dst, sep...)
	dst = appendJSONString(dst, m.text)
	if m.extraTags != "" {
		dst = append(dst, sep...)
		dst = appendJSONString(dst, m.extraTags)
	}
	return append(dst, ']')
}

// encodeList returns the JSON array of msgs, followed by the not-finished
// marker when more is set.
func encodeList(msgs []Message, more, spaced bool) []byte {
	n := 2
	for _, m := range msgs {
		n += len(m.text) + len(m.extraTags) + 32
	}
	dst := make([]byte, 0, n)
	dst = append(dst, '[')
	for i, m := range msgs {
		if i > 0 {
			dst = appendSep(dst, spaced)
		}
		dst = appendMessage(dst, m, spaced)
	}
	if more {
		if len(msgs) > 0 {
			dst = appendSep(dst, spaced)
		}
		dst = append(dst, `"`+notFinished+`"`...)
	}
	return append(dst, ']')
}

func appendSep(dst []byte, spaced bool) []byte {
	if spaced {
		return append(dst, ", "...)
	}
	return append(dst, ',')
}

// appendJSONString appends s as a JSON string the way Python's json.dumps
// writes it with ensure_ascii: encoding/json without its HTML escaping,
// then signing.ASCIIJSON for everything outside printable ASCII.
func appendJSONString(dst []byte, s string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return append(dst, signing.ASCIIJSON(bytes.TrimSuffix(b.Bytes(), []byte("\n")))...)
}

// decodeList reads what encodeList (or Django) wrote: a JSON array of
// messages, possibly ending with the not-finished marker, which is reported
// as more. Anything else is an error: a value that is not such an array, an
// element that is neither a message nor the final marker, a message whose
// level is not an integer or whose text is not a string. Level tags are
// resolved with tags.
func decodeList(data []byte, tags map[Level]string) (msgs []Message, more bool, err error) {
	var elems []json.RawMessage
	if err := json.Unmarshal(data, &elems); err != nil {
		return nil, false, fmt.Errorf("%w: %w", errBadEncoding, err)
	}
	if elems == nil {
		return nil, false, fmt.Errorf("%w: not a list", errBadEncoding)
	}
	msgs = make([]Message, 0, len(elems))
	for i, e := range elems {
		e = bytes.TrimSpace(e)
		if len(e) > 0 && e[0] == '"' {
			var s string
			if json.Unmarshal(e, &s) != nil || s != notFinished || i != len(elems)-1 {
				return nil, false, fmt.Errorf("%w: element %d is not a message", errBadEncoding, i)
			}
			more = true
			continue
		}
		m, err := decodeMessage(e, tags)
		if err != nil {
			return nil, false, fmt.Errorf("%w (element %d)", err, i)
		}
		msgs = append(msgs, m)
	}
	return msgs, more, nil
}

// decodeMessage reads one ["__json_message",SAFE,LEVEL,TEXT(,EXTRA_TAGS)].
func decodeMessage(e []byte, tags map[Level]string) (Message, error) {
	var parts []json.RawMessage
	if err := json.Unmarshal(e, &parts); err != nil || len(parts) < 4 || len(parts) > 5 {
		return Message{}, fmt.Errorf("%w: not a message", errBadEncoding)
	}
	var key string
	if json.Unmarshal(parts[0], &key) != nil || key != messageKey {
		return Message{}, fmt.Errorf("%w: not a message", errBadEncoding)
	}
	var m Message
	switch string(bytes.TrimSpace(parts[1])) {
	case "0", "false":
	case "1", "true":
		m.safe = true
	default:
		return Message{}, fmt.Errorf("%w: bad safe flag", errBadEncoding)
	}
	var level int
	if err := json.Unmarshal(parts[2], &level); err != nil {
		return Message{}, fmt.Errorf("%w: bad level", errBadEncoding)
	}
	m.level = Level(level)
	if err := json.Unmarshal(parts[3], &m.text); err != nil || bytes.TrimSpace(parts[3])[0] != '"' {
		return Message{}, fmt.Errorf("%w: text is not a string", errBadEncoding)
	}
	if len(parts) == 5 {
		var extra *string
		if err := json.Unmarshal(parts[4], &extra); err != nil {
			return Message{}, fmt.Errorf("%w: extra tags are not a string", errBadEncoding)
		}
		if extra != nil {
			m.extraTags = *extra
		}
	}
	m.levelTag = tags[m.level]
	return m, nil
}
