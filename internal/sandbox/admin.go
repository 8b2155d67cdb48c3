package sandbox

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

// serveAdmin is the unauthenticated control API under /_sandbox/. It answers loopback clients
// only: it can reset and rewind the sandbox, which nothing on the network should be able to do.
// Admin requests are not counted in Stats and get no latency.
func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		adminError(w, http.StatusForbidden, "the admin API answers loopback clients only")
		return
	}
	if strings.HasPrefix(r.URL.Path, "/_sandbox/ui/") {
		s.serveUI(w, r)
		return
	}
	route := r.Method + " " + r.URL.Path
	switch route {
	case "GET /_sandbox/stats":
		writeJSON(w, http.StatusOK, "application/json", s.Stats())
	case "GET /_sandbox/faults":
		writeJSON(w, http.StatusOK, "application/json", s.currentFaults())
	case "PUT /_sandbox/faults":
		var f Faults
		if !decodeAdmin(w, r, &f) {
			return
		}
		if f.LatencyMS < 0 || f.Outreach429 < 0 || f.Outreach503 < 0 || f.RefreshLagSeconds < 0 {
			adminError(w, http.StatusBadRequest, "fault counts and latency must not be negative")
			return
		}
		s.SetFaults(f)
		writeJSON(w, http.StatusOK, "application/json", f)
	case "POST /_sandbox/reset":
		s.Reset()
		w.WriteHeader(http.StatusNoContent)
	case "GET /_sandbox/clock":
		s.writeClock(w)
	case "POST /_sandbox/clock":
		var body struct {
			AdvanceSeconds *float64 `json:"advance_seconds"`
		}
		if !decodeAdmin(w, r, &body) {
			return
		}
		if body.AdvanceSeconds == nil || *body.AdvanceSeconds < 0 {
			adminError(w, http.StatusBadRequest, "advance_seconds is required and must not be negative: the sandbox clock only moves forward")
			return
		}
		s.AdvanceClock(time.Duration(*body.AdvanceSeconds * float64(time.Second)))
		s.writeClock(w)
	case "POST /_sandbox/sync":
		// One round of the plugin's runtime sync (sync.go); the body, if any, is ignored.
		writeJSON(w, http.StatusOK, "application/json", s.Sync())
	case "POST /_sandbox/dynamics/dependencies":
		var body struct {
			Entity    string `json:"entity"`
			Attribute string `json:"attribute"`
			Count     int    `json:"count"`
		}
		if !decodeAdmin(w, r, &body) {
			return
		}
		if body.Entity == "" || body.Attribute == "" || body.Count < 0 {
			adminError(w, http.StatusBadRequest, "entity and attribute are required, count must not be negative")
			return
		}
		if err := s.org.AddDependencies(body.Entity, body.Attribute, body.Count); err != nil {
			adminError(w, http.StatusBadRequest, err.Error())
			return
		}
		s.saveOrLog()
		w.WriteHeader(http.StatusNoContent)
	default:
		adminError(w, http.StatusNotFound, fmt.Sprintf("no admin route %s", route))
	}
}

func (s *Server) writeClock(w http.ResponseWriter) {
	writeJSON(w, http.StatusOK, "application/json", map[string]any{
		"now":            formatTime(s.Now()),
		"offset_seconds": time.Duration(s.offset.Load()).Seconds(),
	})
}

// decodeAdmin reads a JSON body strictly: an unknown field is a typo in a test, and a test that
// silently configures nothing passes for the wrong reason.
func decodeAdmin(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		adminError(w, http.StatusBadRequest, "invalid JSON body: "+err.Error())
		return false
	}
	return true
}

func adminError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, "application/json", map[string]string{"error": msg})
}
