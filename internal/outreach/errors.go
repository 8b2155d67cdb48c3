package outreach

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/optout-sync/terraform-provider-outreach/internal/httpx"
)

// maxErrorBody bounds how much of a non-JSON:API error body is kept: enough for a proxy's or
// nginx's message, not a whole HTML page in a Terraform diagnostic.
const maxErrorBody = 512

// APIError is a non-2xx answer of the Outreach API.
type APIError struct {
	// StatusCode is the HTTP status.
	StatusCode int
	// ID, Title, Detail and Pointer are those of the first JSON:API error object (ID is the
	// camelCase error id such as "validationError"; Pointer is source.pointer, e.g.
	// "/data/attributes/crmField").
	ID, Title, Detail, Pointer string
	// Errors holds every error object of the response.
	Errors []ErrorObject
	// Body is the raw response text, redacted and shortened, when the body is not a JSON:API
	// error document (a plain-text 401 "Invalid access token", a proxy's HTML page).
	Body string
	// Method and Path name the request (the path without its query string).
	Method, Path string
	// RetryAfter is the response's Retry-After as a delay (0 when absent), kept so that a caller
	// that may send a refused request again (a create refused by maintenance) waits as told.
	RetryAfter time.Duration
}

// ErrorObject is one member of a JSON:API "errors" array.
type ErrorObject struct {
	ID, Title, Detail, Pointer string
}

// Error reads as one line a user can act on: the status, each error's id, detail and pointer, a
// hint for the statuses that have an obvious remedy, and the request.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Outreach API returned %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	switch {
	case len(e.Errors) > 0:
		b.WriteString(": ")
		for i, o := range e.Errors {
			if i > 0 {
				b.WriteString("; ")
			}
			b.WriteString(o.String())
		}
	case e.Body != "":
		fmt.Fprintf(&b, ": %q", e.Body)
	}
	if h := e.hint(); h != "" {
		b.WriteString(" — ")
		b.WriteString(h)
	}
	if e.Method != "" {
		fmt.Fprintf(&b, " [%s %s]", e.Method, e.Path)
	}
	return b.String()
}

// String renders one error object: "id: detail (at pointer)".
func (o ErrorObject) String() string {
	msg := o.Detail
	if msg == "" {
		msg = o.Title
	}
	var s string
	switch {
	case o.ID != "" && msg != "":
		s = o.ID + ": " + msg
	case o.ID != "":
		s = o.ID
	default:
		s = msg
	}
	if o.Pointer != "" {
		s += " (at " + o.Pointer + ")"
	}
	return s
}

func (e *APIError) hint() string {
	switch e.StatusCode {
	case http.StatusUnauthorized:
		return "check the access token or credentials"
	case http.StatusForbidden:
		if e.ID == "unauthorizedOauthScope" {
			if scope := requiredScope(e.Path); scope != "" {
				return "the token lacks the " + scope + " scope this call needs"
			}
			return "the token lacks the scope this call needs (plugins.read, plugins.write, plugins.delete, or plugins.all for all three)"
		}
		return "the Outreach user's permissions do not allow this action"
	case http.StatusTooManyRequests:
		return "the Outreach rate limit (10,000 requests per hour per user) is exhausted and the retries ran out; try again later"
	case http.StatusServiceUnavailable:
		return "Outreach is unavailable (maintenance?) and the retries ran out; try again later"
	}
	return ""
}

// IsNotFound reports whether err is (or wraps) an Outreach 404, so that a resource that was
// deleted outside Terraform can be removed from state instead of failing the refresh.
func IsNotFound(err error) bool {
	e, ok := AsAPIError(err)
	return ok && e.StatusCode == http.StatusNotFound
}

// AsAPIError returns the *APIError in err's chain.
func AsAPIError(err error) (*APIError, bool) {
	var e *APIError
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// wireErrors is the JSON:API error document. Outreach sometimes spells detail "details".
type wireErrors struct {
	Errors []struct {
		ID      string `json:"id"`
		Title   string `json:"title"`
		Detail  string `json:"detail"`
		Details string `json:"details"`
		Source  struct {
			Pointer   string `json:"pointer"`
			Parameter string `json:"parameter"`
		} `json:"source"`
	} `json:"errors"`
}

// decodeAPIError turns a non-2xx response into an *APIError. Every string taken from the body is
// passed through httpx.Redact: an error ends up in Terraform output and logs, and a server (or a
// proxy) might echo a credential back.
func decodeAPIError(method, path string, status int, body []byte) *APIError {
	e := &APIError{StatusCode: status, Method: method, Path: path}
	var doc wireErrors
	if json.Unmarshal(body, &doc) == nil && len(doc.Errors) > 0 {
		for _, w := range doc.Errors {
			o := ErrorObject{
				ID:      httpx.Redact(w.ID),
				Title:   httpx.Redact(w.Title),
				Detail:  httpx.Redact(w.Detail),
				Pointer: httpx.Redact(w.Source.Pointer),
			}
			if o.Detail == "" {
				o.Detail = httpx.Redact(w.Details)
			}
			if o.Pointer == "" && w.Source.Parameter != "" {
				o.Pointer = httpx.Redact(w.Source.Parameter)
			}
			e.Errors = append(e.Errors, o)
		}
		first := e.Errors[0]
		e.ID, e.Title, e.Detail, e.Pointer = first.ID, first.Title, first.Detail, first.Pointer
		return e
	}
	e.Body = bodySnippet(body)
	return e
}

// bodySnippet is a redacted, shortened, single-line rendering of a response body.
func bodySnippet(body []byte) string {
	s := strings.TrimSpace(string(body))
	s = strings.Join(strings.Fields(s), " ")
	s = httpx.Redact(s)
	if len(s) > maxErrorBody {
		s = s[:maxErrorBody] + "…"
	}
	return s
}

// TokenError is a failed call to a token endpoint (the OAuth refresh grant or the S2S exchange).
// It never carries a token, a secret or an unredacted body.
type TokenError struct {
	// StatusCode is the HTTP status of the token endpoint's answer.
	StatusCode int
	// Code is the OAuth error code ("invalid_grant", "invalid_client"...) or the JSON:API error id.
	Code string
	// Description is the server's (redacted) explanation.
	Description string
	// Hint says what the user should do.
	Hint string
	// Endpoint names the call, e.g. "OAuth token endpoint".
	Endpoint string
}

// Error reads as: "<endpoint> returned 400 Bad Request (invalid_grant: ...): <hint>".
func (e *TokenError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s returned %d %s", e.Endpoint, e.StatusCode, http.StatusText(e.StatusCode))
	switch {
	case e.Code != "" && e.Description != "":
		fmt.Fprintf(&b, " (%s: %s)", e.Code, e.Description)
	case e.Code != "":
		fmt.Fprintf(&b, " (%s)", e.Code)
	case e.Description != "":
		fmt.Fprintf(&b, " (%q)", e.Description)
	}
	if e.Hint != "" {
		b.WriteString(": ")
		b.WriteString(e.Hint)
	}
	return b.String()
}

// decodeTokenEndpointError reads the OAuth error body ({"error", "error_description"}), a JSON:API
// error document, or plain text.
func decodeTokenEndpointError(endpoint string, status int, body []byte) *TokenError {
	e := &TokenError{StatusCode: status, Endpoint: endpoint}
	var oauth struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if json.Unmarshal(body, &oauth) == nil && oauth.Error != "" {
		e.Code = httpx.Redact(oauth.Error)
		e.Description = httpx.Redact(truncate(oauth.Description, maxErrorBody))
		return e
	}
	if a := decodeAPIError("", "", status, body); len(a.Errors) > 0 {
		e.Code = a.ID
		e.Description = truncate(a.Detail, maxErrorBody)
		if e.Description == "" {
			e.Description = a.Title
		}
		return e
	}
	e.Description = bodySnippet(body)
	return e
}
