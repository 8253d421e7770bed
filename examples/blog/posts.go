package main

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tetherweb/tether/messages"
	"github.com/tetherweb/tether/session"
)

// recentLimit is how many recently viewed posts the session keeps.
const recentLimit = 10

// savedText is the tutorial's message for a saved post (its function
// view: messages.success(request, "The post has been saved.")).
const savedText = "The post has been saved."

// saved is the success message of the tutorial's class-based create view
// (SuccessMessageMixin, success_message = "%(title)s post saved."): it is
// built from the saved post's fields. /posts/create shows it.
var saved = messages.MustSuccessMessage(`{{.Title}} post saved.`)

// index lists the posts.
func (a *app) index(w http.ResponseWriter, r *http.Request) {
	posts, err := a.db.latestPosts(r.Context(), 20)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.render(w, r, http.StatusOK, "index", &view{Title: "Posts", Posts: posts})
}

func (a *app) newPostForm(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, http.StatusOK, "post_form", &view{Title: "Write a post", Action: "/posts/new"})
}

// createPostForm is the form of the class-based view's route.
func (a *app) createPostForm(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, http.StatusOK, "post_form", &view{Title: "Write a post", Action: "/posts/create"})
}

// postInput is a post as a form or JSON submits it.
type postInput struct {
	Title string `json:"title"`
	Body  string `json:"body"`
}

// validate returns the errors by field name, none when the input is good.
func (p *postInput) validate() map[string]string {
	p.Title = strings.TrimSpace(p.Title)
	errs := map[string]string{}
	switch {
	case p.Title == "":
		errs["title"] = "A title is required."
	case utf8.RuneCountInString(p.Title) > 200:
		errs["title"] = "At most 200 characters."
	}
	if len(p.Body) > 100_000 {
		errs["body"] = "At most 100,000 bytes."
	}
	return errs
}

// createPost is the tutorial's function view: it saves a valid post and
// redirects to it with "The post has been saved."; an invalid one gets an
// error message and the form again.
func (a *app) createPost(w http.ResponseWriter, r *http.Request) {
	in, ok := a.postForm(w, r, "/posts/new")
	if !ok {
		return
	}
	p, err := a.db.createPost(r.Context(), in.Title, in.Body)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	messages.Success(r, savedText)
	http.Redirect(w, r, "/posts/"+strconv.FormatInt(p.ID, 10), http.StatusFound)
}

// createPostView is the tutorial's class-based create view: the same
// form, and on success the message built from the saved post by the
// success-message helper ("%(title)s post saved.").
func (a *app) createPostView(w http.ResponseWriter, r *http.Request) {
	in, ok := a.postForm(w, r, "/posts/create")
	if !ok {
		return
	}
	p, err := messages.OnSuccess(r, saved, func() (Post, error) {
		return a.db.createPost(r.Context(), in.Title, in.Body)
	})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/posts/"+strconv.FormatInt(p.ID, 10), http.StatusFound)
}

// postForm reads and validates the post form. An invalid one gets an
// error message and the form (posting to action) again, and ok is false.
func (a *app) postForm(w http.ResponseWriter, r *http.Request, action string) (in postInput, ok bool) {
	in = postInput{Title: r.PostFormValue("title"), Body: r.PostFormValue("body")}
	if errs := in.validate(); len(errs) > 0 {
		messages.Error(r, "Please check the input again.")
		a.render(w, r, http.StatusOK, "post_form", &view{
			Title:  "Write a post",
			Action: action,
			Form:   map[string]string{"Title": in.Title, "Body": in.Body},
			Errors: errs,
		})
		return in, false
	}
	return in, true
}

// showPost shows a post and remembers it among the session's recently
// viewed posts (most recent first, 10 at most).
func (a *app) showPost(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	p, err := a.db.post(r.Context(), id)
	if errors.Is(err, errNoPost) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	ids, err := session.Update(session.From(r), "recent_posts", func(ids []int64) []int64 {
		ids = slices.DeleteFunc(ids, func(x int64) bool { return x == id })
		ids = append([]int64{id}, ids...)
		return ids[:min(len(ids), recentLimit)]
	})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	recent, err := a.db.postsByID(r.Context(), ids)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.render(w, r, http.StatusOK, "post", &view{Title: p.Title, Post: p, Recent: recent})
}

// recentPosts returns the session's recently viewed posts.
func (a *app) recentPosts(r *http.Request) []Post {
	ids, _ := session.Value[[]int64](session.From(r), "recent_posts")
	posts, err := a.db.postsByID(r.Context(), ids)
	if err != nil {
		a.logger.WarnContext(r.Context(), "blog: recent posts", logError(err))
	}
	return posts
}

// apiCreatePost takes a post as JSON. The CSRF middleware has already
// checked the X-CSRFToken header; a request without it never gets here.
func (a *app) apiCreatePost(w http.ResponseWriter, r *http.Request) {
	var in postInput
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	if err := dec.Decode(&in); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "the body must be a JSON object {\"title\":…,\"body\":…}"})
		return
	}
	if errs := in.validate(); len(errs) > 0 {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"errors": errs})
		return
	}
	p, err := a.db.createPost(r.Context(), in.Title, in.Body)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/posts/"+strconv.FormatInt(p.ID, 10))
	writeJSON(w, http.StatusCreated, p)
}

// writeJSON answers v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
