package dynamics

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/optout-sync/terraform-provider-outreach/internal/httpx"
)

func TestDecodeError(t *testing.T) {
	cases := []struct {
		name   string
		status int
		header http.Header
		body   string
		want   Error
	}{
		{
			name: "documented shape", status: 404,
			header: http.Header{"Req_id": {"r-1"}},
			body:   `{"error":{"code":"0x8006088a","message":"Resource not found for the segment 'Account'."}}`,
			want:   Error{StatusCode: 404, Code: "0x8006088a", Message: "Resource not found for the segment 'Account'.", RequestID: "r-1"},
		},
		{
			name: "empty code, service request id", status: 404,
			header: http.Header{"X-Ms-Service-Request-Id": {"r-2"}},
			body:   `{"error":{"code":"","message":"No HTTP resource was found"}}`,
			want:   Error{StatusCode: 404, Message: "No HTTP resource was found", RequestID: "r-2"},
		},
		{
			name: "numeric code", status: 400,
			body: `{"error":{"code":-2147020463,"message":"locked"}}`,
			want: Error{StatusCode: 400, Code: "-2147020463", Message: "locked"},
		},
		{
			name: "empty body", status: 401,
			want: Error{StatusCode: 401, Message: "Unauthorized"},
		},
		{
			name: "html body", status: 502,
			body: "<html>\n<body>  Bad   gateway </body></html>",
			want: Error{StatusCode: 502, Message: "<html> <body> Bad gateway </body></html>"},
		},
		{
			name: "other json", status: 500,
			body: `{"Message":"An error has occurred."}`,
			want: Error{StatusCode: 500, Message: `{"Message":"An error has occurred."}`},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := tc.header
			if h == nil {
				h = http.Header{}
			}
			got := decodeError("GET x", &httpx.Response{StatusCode: tc.status, Header: h, Body: []byte(tc.body)})
			tc.want.Op = "GET x"
			if *got != tc.want {
				t.Errorf("got %+v\nwant %+v", *got, tc.want)
			}
		})
	}
}

func TestDecodeErrorCutsLongBodies(t *testing.T) {
	body := strings.Repeat("é", 400)
	got := decodeError("", &httpx.Response{StatusCode: 500, Header: http.Header{}, Body: []byte(body)})
	if len(got.Message) > maxExcerpt+len("…") || !strings.HasSuffix(got.Message, "…") {
		t.Errorf("message of %d bytes: %q", len(got.Message), got.Message)
	}
	if !strings.HasPrefix(body, strings.TrimSuffix(got.Message, "…")) {
		t.Error("excerpt cut a character in half")
	}
}

func TestErrorTextNeverCarriesATokenOrSecret(t *testing.T) {
	body := `{"error":{"code":"0x0","message":"bad header Authorization: Bearer eyJhbGciOi.secret.sig and client_secret=hunter2"}}`
	e := decodeError("GET WhoAmI", &httpx.Response{StatusCode: 400, Header: http.Header{}, Body: []byte(body)})
	for _, s := range []string{"eyJhbGciOi", "hunter2"} {
		if strings.Contains(e.Error(), s) {
			t.Errorf("error leaks %q: %s", s, e.Error())
		}
	}
	plain := decodeError("GET WhoAmI", &httpx.Response{StatusCode: 500, Header: http.Header{}, Body: []byte("access_token=abc.def")})
	if strings.Contains(plain.Error(), "abc.def") {
		t.Errorf("excerpt leaks a token: %s", plain.Error())
	}
}

func TestErrorText(t *testing.T) {
	e := &Error{StatusCode: 403, Code: "0x80072560", Message: "The user is not a member of the organization.", RequestID: "r", Op: "GET WhoAmI"}
	want := "dynamics: GET WhoAmI: HTTP 403 (0x80072560): The user is not a member of the organization.; the caller lacks a privilege: the application user needs a security role with System Customizer rights in this org [request id r]"
	if e.Error() != want {
		t.Errorf("Error() =\n%s\nwant\n%s", e.Error(), want)
	}
}

func TestErrorPredicates(t *testing.T) {
	type preds struct{ notFound, lock, dup, inUse bool }
	cases := []struct {
		name string
		err  error
		want preds
	}{
		{"404", &Error{StatusCode: 404, Code: "0x8006088a", Message: "Resource not found"}, preds{notFound: true}},
		{"400 metadata cache", &Error{StatusCode: 400, Message: "The entity with a name = 'x' with namemapping = 'Logical' was not found in the MetadataCache."}, preds{notFound: true}},
		{"400 invalid entity", &Error{StatusCode: 400, Code: "0x8005E00C"}, preds{notFound: true}},
		{"400 unknown property is not absence", &Error{StatusCode: 400, Code: "0x0", Message: "Could not find a property named 'Name'"}, preds{}},
		{"lock 429", &Error{StatusCode: 429, Code: "0x80071151"}, preds{lock: true}},
		{"lock lower-case hex", &Error{StatusCode: 400, Code: "0x8004f062"}, preds{lock: true}},
		{"lock family first", &Error{StatusCode: 400, Code: "0x8004F061"}, preds{lock: true}},
		{"lock family last", &Error{StatusCode: 400, Code: "0x8004F067"}, preds{lock: true}},
		{"past the lock family", &Error{StatusCode: 400, Code: "0x8004F068"}, preds{}},
		{"concurrent op", &Error{StatusCode: 400, Code: "0x80071154"}, preds{lock: true}},
		{"duplicated job", &Error{StatusCode: 400, Code: "0x80071155"}, preds{lock: true}},
		{"lock decimal", &Error{StatusCode: 400, Code: "-2147020463"}, preds{lock: true}},
		{"lock by message 503", &Error{StatusCode: 503, Message: "Microsoft.Crm.ObjectModel.CustomizationLockException: Cannot start the requested operation [PublishAll] because there is another [Import] running at this moment."}, preds{lock: true}},
		{"lock by message only", &Error{StatusCode: 400, Message: "there is a customization running at this moment"}, preds{lock: true}},
		{"dup 0x80047013", &Error{StatusCode: 400, Code: "0x80047013"}, preds{dup: true}},
		{"dup 0x80060304", &Error{StatusCode: 400, Code: "0x80060304"}, preds{dup: true}},
		{"dup 0x80047010", &Error{StatusCode: 400, Code: "0x80047010"}, preds{dup: true}},
		{"dup 0x80040237 412", &Error{StatusCode: 412, Code: "0x80040237"}, preds{dup: true}},
		{"dup by message", &Error{StatusCode: 400, Message: "A column with this name Already Exists."}, preds{dup: true}},
		{"in use", &Error{StatusCode: 400, Code: "0x8004F01F", Message: "The Attribute(x) component cannot be deleted because it is referenced by 3 other components."}, preds{inUse: true}},
		{"in use by message", &Error{StatusCode: 405, Message: "The Attribute(x) component cannot be deleted because it is referenced by 1 other components."}, preds{inUse: true}},
		{"wrapped", fmt.Errorf("deleting: %w", &Error{StatusCode: 404}), preds{notFound: true}},
		{"not an Error", errors.New("404 already exists running at this moment"), preds{}},
		{"nil", nil, preds{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := preds{IsNotFound(tc.err), IsCustomizationLock(tc.err), IsDuplicate(tc.err), IsInUse(tc.err)}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	resp := func(status int, code string) *httpx.Response {
		return &httpx.Response{StatusCode: status, Header: http.Header{},
			Body: []byte(`{"error":{"code":"` + code + `","message":"m"}}`)}
	}
	cases := []struct {
		name        string
		r           *httpx.Response
		read, write httpx.Decision
	}{
		{"ok", &httpx.Response{StatusCode: 200, Body: []byte(`{"error":{"code":"0x80071151"}}`)}, httpx.Default, httpx.Default},
		// Locks are handed back to sendWaitingOutLocks, which waits until the caller's deadline.
		{"lock 400", resp(400, "0x80071151"), httpx.Stop, httpx.Stop},
		{"lock 429", resp(429, "0x8004F064"), httpx.Stop, httpx.Stop},
		{"cache after create", resp(500, "0x80040216"), httpx.Retry, httpx.Default},
		{"cache not ready", resp(400, "0x80060891"), httpx.Retry, httpx.Default},
		{"duplicate", resp(400, "0x80047013"), httpx.Default, httpx.Default},
		{"throttle is httpx's", resp(429, "0x80072322"), httpx.Default, httpx.Default},
		{"non-json", &httpx.Response{StatusCode: 503, Body: []byte("busy")}, httpx.Default, httpx.Default},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := classifyRead(tc.r); got != tc.read {
				t.Errorf("read = %v, want %v", got, tc.read)
			}
			if got := classifyWrite(tc.r); got != tc.write {
				t.Errorf("write = %v, want %v", got, tc.write)
			}
		})
	}
}
