package sandbox

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
)

// The Outreach UI changes the plugin through the same backend as the API, so the sandbox's "UI"
// is the plugin API served under /_sandbox/ui/ (e.g. PATCH /_sandbox/ui/api/v2/pluginFieldMappings/3)
// as the organization's administrator: the same validation and answers, no token, no rate limit,
// not counted in Stats (it is not an API client's request), and an audit entry whose agent is the
// administrator with source "ui". UIRequest does the same from Go.

// uiPrincipal is the administrator working in the Outreach UI.
func uiPrincipal() *principal {
	return &principal{rateKey: "ui", scopes: []string{scopeAll, scopeProspectsAll}, userID: uiAdminUserID, viaUI: true}
}

// serveUI answers /_sandbox/ui/api/v2/... (admin.go routes it).
func (s *Server) serveUI(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/_sandbox/ui")
	if !strings.HasPrefix(rest, "/api/v2/") {
		adminError(w, http.StatusNotFound, "UI changes go to /_sandbox/ui/api/v2/<plugin resource>")
		return
	}
	r2 := r.Clone(r.Context())
	u := *r.URL
	u.Path, u.RawPath = rest, ""
	r2.URL = &u
	s.writeThrough(w, r2, func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.serveAPI(w, r, uiPrincipal(), s.Now())
	})
}

// UIRequest makes a change "in the Outreach UI": method and path (starting with /api/v2/) as for
// the plugin API, body a JSON:API document or nil. It returns the status and the response body.
func (s *Server) UIRequest(method, path string, body []byte) (int, []byte) {
	u, err := url.Parse(s.outreachURL + "/_sandbox/ui" + path)
	if err != nil {
		return http.StatusBadRequest, []byte(err.Error())
	}
	r, err := http.NewRequest(method, u.String(), bytes.NewReader(body))
	if err != nil {
		return http.StatusBadRequest, []byte(err.Error())
	}
	if body != nil {
		r.Header.Set("Content-Type", jsonAPIMediaType)
	} else {
		r.Body, r.ContentLength = http.NoBody, 0
	}
	bw := &bufferedWriter{header: http.Header{}}
	s.serveUI(bw, r)
	if bw.status == 0 {
		bw.status = http.StatusOK
	}
	return bw.status, bw.body.Bytes()
}
