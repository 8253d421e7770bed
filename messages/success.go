package messages

import (
	"bytes"
	"log/slog"
	"net/http"
	"text/template"

	"github.com/tetherweb/tether/internal/logval"
)

// SuccessMessage is a message built from the object a form handler saved,
// as Django's SuccessMessageMixin: "{{.Title}} post saved." with the saved
// post. The text is a text/template (the result is plain text, escaped when
// displayed) whose data is the saved object; a field or map key the object
// lacks is an error. A SuccessMessage is safe for concurrent use.
type SuccessMessage struct {
	tmpl *template.Template
}

// NewSuccessMessage parses text as a text/template once.
func NewSuccessMessage(text string) (*SuccessMessage, error) {
	t, err := template.New("success").Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, errorf("success message: %w", err)
	}
	return &SuccessMessage{tmpl: t}, nil
}

// MustSuccessMessage is NewSuccessMessage that panics on a bad template, for
// package-level variables.
func MustSuccessMessage(text string) *SuccessMessage {
	sm, err := NewSuccessMessage(text)
	if err != nil {
		panic(err)
	}
	return sm
}

// Text returns the message for obj.
func (sm *SuccessMessage) Text(obj any) (string, error) {
	var b bytes.Buffer
	if err := sm.tmpl.Execute(&b, obj); err != nil {
		return "", errorf("success message: %w", err)
	}
	return b.String(), nil
}

// Add adds the message for obj at LevelSuccess. An empty result adds
// nothing, as in Django.
func (sm *SuccessMessage) Add(r *http.Request, obj any) error {
	text, err := sm.Text(obj)
	if err != nil {
		return err
	}
	return Success(r, text)
}

// OnSuccess runs save and, when it returns a nil error, adds sm's message
// built from the saved object; when it fails, nothing is added and its
// error is returned. Call it before writing the response (typically the
// redirect that follows a successful save):
//
//	post, err := messages.OnSuccess(r, saved, func() (*Post, error) { return posts.Create(form) })
//	if err != nil { /* render the form again */ }
//	http.Redirect(w, r, post.URL(), http.StatusFound)
//
// The save has happened when OnSuccess returns its result, so a message
// that cannot be built or added does not turn it into a failure: that is
// logged (slog.Default()) and the object is returned with a nil error.
func OnSuccess[T any](r *http.Request, sm *SuccessMessage, save func() (T, error)) (T, error) {
	obj, err := save()
	if err != nil {
		return obj, err
	}
	if err := sm.Add(r, obj); err != nil {
		logger := slog.Default()
		if st := from(r); st != nil {
			logger = st.m.Logger
		}
		logger.LogAttrs(r.Context(), slog.LevelError, "messages: success message not added",
			logval.String("path", r.URL.Path), logval.Error(err))
	}
	return obj, nil
}
