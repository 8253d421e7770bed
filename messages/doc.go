// Package messages shows one-shot notices ("The post has been saved.") on the
// next page a user sees, as Django's django.contrib.messages does: a handler
// adds a message and redirects, the next page reads and displays it, and the
// page after that shows nothing.
//
// Wrap handlers with a Manager's Middleware, inside the session middleware
// when the storage keeps messages in the session:
//
//	sessions := &session.Manager{Store: memstore.New()}
//	msgs := &messages.Manager{Storage: messages.NewFallbackStorage(secretKey)}
//	http.ListenAndServe(addr, sessions.Middleware(msgs.Middleware(mux)))
//
// Handlers add messages with Add or the level helpers (Info, Success,
// Warning, Error, Debug and their …f variants) and read them with Get or All,
// or in a template with the "messages" function of FuncMap:
//
//	{{with messages .Request}}<ul class="messages">{{range .}}<li class="{{.Tags}}">{{.HTML}}</li>{{end}}</ul>{{end}}
//
// # Life cycle
//
// Messages are consumed only when read: a response that never calls Get or
// All keeps them for the next one. The middleware stores the messages just
// before the response's headers go out (messages added after reading, or all
// unread and new ones when nothing was read); when nothing was read or added,
// it writes nothing at all. A response with a 5xx status changes nothing
// either, matching the session middleware, which never saves on a 5xx: the
// user did not see the page, so the messages it read are shown again and the
// ones it added are dropped.
//
// Because the messages are stored when the headers go out, they must be read
// before the response body is written. A template that calls "messages" while
// it streams into the ResponseWriter has already sent the headers; render
// into a buffer first (which also lets a template error become a clean 500),
// or call Get before executing the template. Reading after the headers went
// out still returns the messages, but they are not consumed (they show again
// on the next page), and it is logged.
//
// # Storages
//
// FallbackStorage (the recommended one, Django's default) keeps messages in a
// signed cookie and puts whatever does not fit into the session.
// CookieStorage uses the cookie alone (oldest messages are dropped, and
// logged, when they do not fit). SessionStorage keeps them in the session
// alone; it is what a zero Manager uses, because the cookie storages need a
// secret key.
//
// The messages cookie is Django's: the same name, key derivation, salt and
// JSON encoding, so a Django app and a Go app that share SECRET_KEY read each
// other's messages. There is no separate tether format because Django's has
// nothing to improve on: it is signed, compressed, compact and versioned by
// its salt. SessionStorage.Django selects Django's form of the session value
// (a JSON string inside the session) for sessions shared with Django.
//
// # htmx
//
// With Manager.HTMX set, a response to an htmx request (HX-Request: true)
// carries the messages its page did not render in the HX-Trigger header,
// as JSON under an event ("messages"), so a page that swaps in a fragment
// can show them as a toast. See HTMX for the rules.
//
// # Bad input
//
// A messages cookie that does not verify or decode is treated as no messages,
// logged with log/slog, and deleted at the end of the request that found it
// (one that read or added messages); the request goes on normally. The
// signature is checked before anything is decoded or decompressed, and a
// value signed with the same key for another purpose (a signed cookie, a
// session) does not verify.
package messages
