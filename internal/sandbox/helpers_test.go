package sandbox

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// startSandbox runs an in-memory sandbox for one test.
func startSandbox(t *testing.T, opts Options) *Server {
	t.Helper()
	if opts.Logf == nil {
		opts.Logf = t.Logf
	}
	s, err := Start(opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// response is a decoded reply.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) doc(t *testing.T) jsonDoc {
	t.Helper()
	var d jsonDoc
	if err := json.Unmarshal(r.body, &d); err != nil {
		t.Fatalf("response is not JSON: %v\n%s", err, r.body)
	}
	return d
}

type jsonDoc struct {
	Data   json.RawMessage   `json:"data"`
	Errors []apiError        `json:"errors"`
	Links  map[string]string `json:"links"`
	Meta   map[string]any    `json:"meta"`
}

type resObj struct {
	Type          string                     `json:"type"`
	ID            int64                      `json:"id"`
	Attributes    map[string]any             `json:"attributes"`
	Relationships map[string]json.RawMessage `json:"relationships"`
	Links         map[string]string          `json:"links"`
}

func (d jsonDoc) one(t *testing.T) resObj {
	t.Helper()
	var r resObj
	if err := json.Unmarshal(d.Data, &r); err != nil {
		t.Fatalf("data is not a resource object: %v\n%s", err, d.Data)
	}
	return r
}

func (d jsonDoc) many(t *testing.T) []resObj {
	t.Helper()
	var r []resObj
	if err := json.Unmarshal(d.Data, &r); err != nil {
		t.Fatalf("data is not a collection: %v\n%s", err, d.Data)
	}
	return r
}

// call sends a request to the Outreach listener. body may be nil, a string (sent as is) or
// anything else (JSON-encoded). contentType "" means application/vnd.api+json when there is a
// body.
func call(t *testing.T, s *Server, method, path, token string, body any, contentType string) response {
	t.Helper()
	var rd io.Reader
	if body != nil {
		switch b := body.(type) {
		case string:
			rd = strings.NewReader(b)
		default:
			raw, err := json.Marshal(b)
			if err != nil {
				t.Fatal(err)
			}
			rd = bytes.NewReader(raw)
		}
		if contentType == "" {
			contentType = jsonAPIMediaType
		}
	}
	url := path
	if !strings.HasPrefix(path, "http") {
		url = s.OutreachURL() + path
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// api is call with the all-scopes static token.
func api(t *testing.T, s *Server, method, path string, body any) response {
	t.Helper()
	return call(t, s, method, path, StaticAccessToken, body, "")
}

func mustStatus(t *testing.T, r response, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("status %d, want %d; body: %s", r.status, want, r.body)
	}
}

// wantError checks an error response: status, error id and, when given, the pointer and a
// fragment (or the whole) of the detail.
func wantError(t *testing.T, r response, status int, id, pointer, detail string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body: %s", r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != jsonAPIMediaType {
		t.Errorf("Content-Type %q, want %q", ct, jsonAPIMediaType)
	}
	d := r.doc(t)
	for _, e := range d.Errors {
		if e.ID != id {
			continue
		}
		if pointer != "" && (e.Source == nil || e.Source.Pointer != pointer && e.Source.Parameter != pointer) {
			continue
		}
		if detail != "" && !strings.Contains(e.Detail, detail) {
			continue
		}
		if e.Title == "" {
			t.Errorf("error %s has no title", id)
		}
		return
	}
	t.Fatalf("no error id=%s pointer=%q detail~%q in %s", id, pointer, detail, r.body)
}

// resource builds a request document.
func resource(typ string, id any, attrs map[string]any, withPlugin bool) map[string]any {
	data := map[string]any{"type": typ, "attributes": attrs}
	if id != nil {
		data["id"] = id
	}
	if withPlugin {
		data["relationships"] = map[string]any{"plugin": map[string]any{"data": map[string]any{"type": "plugin", "id": 1}}}
	}
	return map[string]any{"data": data}
}

// dataverseClient trusts the sandbox CA, like a user with SSL_CERT_FILE set.
func dataverseClient(t *testing.T, s *Server) *http.Client {
	t.Helper()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(s.CACertPEM()) {
		t.Fatal("CACertPEM holds no certificate")
	}
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

func itemAt(t *testing.T, s *Server, path string) resObj {
	t.Helper()
	r := api(t, s, http.MethodGet, path, nil)
	mustStatus(t, r, http.StatusOK)
	return r.doc(t).one(t)
}
