package dynamics

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/optout-sync/terraform-provider-outreach/internal/httpx"
)

// unredactedBearer finds a bearer token that survived into an error text.
var unredactedBearer = regexp.MustCompile(`(?i)bearer\s+[A-Za-z0-9\-._~+/=]+`)

// FuzzDecodeError feeds arbitrary answers to the Dataverse error decoder. Seeds are in
// testdata/fuzz/FuzzDecodeError: the documented shapes, numeric and decimal codes, HTML pages,
// truncated JSON and localized messages.
func FuzzDecodeError(f *testing.F) {
	f.Add(404, []byte(`{"error":{"code":"0x80040217","message":"Could not find an attribute"}}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 400 || status > 599 {
			status = 400 + (status%200+200)%200
		}
		e := decodeError("GET x", &httpx.Response{StatusCode: status, Header: http.Header{}, Body: body})
		if e.StatusCode != status || e.Op != "GET x" {
			t.Fatalf("decoded %+v from status %d", e, status)
		}
		text := e.Error()
		if e.Message == "" && e.Code == "" {
			t.Fatalf("an error with neither code nor message: %q", text)
		}
		// A body that is not the documented JSON is quoted as a bounded excerpt, cut on a
		// character boundary.
		if utf8.Valid(body) && !utf8.ValidString(e.Message) {
			t.Fatalf("message is not valid UTF-8 although the body was: %q", e.Message)
		}
		if !isDocumentedShape(body) && len(e.Message) > maxExcerpt+len("…") && e.Message != http.StatusText(status) {
			t.Fatalf("excerpt of %d bytes", len(e.Message))
		}
		// Nothing that looks like a bearer token survives into the text, wherever in the body
		// it was (message, code, or anywhere in a non-JSON body).
		if m := unredactedBearer.FindString(text); m != "" && !strings.HasSuffix(strings.ToLower(m), "bearer") {
			t.Fatalf("error text carries %q: %s", m, text)
		}
		// Exactly one class at most.
		n := 0
		for _, p := range []func(error) bool{IsNotFound, IsDuplicate, IsCustomizationLock, IsInUse} {
			if p(e) {
				n++
			}
		}
		if n > 1 {
			t.Fatalf("%d classes for %s", n, text)
		}
		// A code this package knows decides the class whatever the message says (the message is
		// in the org's language).
		c := codeValue(e.Code)
		_, known := codeClasses[c]
		if known || (c >= codeCustomizationLockFirst && c <= codeCustomizationLockLast) {
			for _, msg := range []string{"", "already exists", "was not found in the MetadataCache", "running at this moment", "Ein Fehler ist aufgetreten."} {
				other := &Error{StatusCode: status, Code: e.Code, Message: msg}
				if other.class() != e.class() {
					t.Fatalf("code %s: class %d with message %q, %d with %q", e.Code, e.class(), e.Message, other.class(), msg)
				}
			}
		}
	})
}

// isDocumentedShape reports whether body is {"error":{...}}, whose message is kept whole.
func isDocumentedShape(body []byte) bool {
	var v struct {
		Error *json.RawMessage `json:"error"`
	}
	return json.Unmarshal(body, &v) == nil && v.Error != nil && string(*v.Error) != "null"
}
