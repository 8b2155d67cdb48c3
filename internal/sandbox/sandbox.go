// Package sandbox is a local stand-in for the two services the provider talks to: the Outreach
// CRM-plugin configuration API (the assumed contract in shared/contract/outreach-plugin-api.md,
// with its token endpoints) over plain HTTP, and Dataverse plus Entra ID (package
// sandbox/dataverse) over HTTPS with a private CA.
//
// It is written from the contract alone and never imports the provider's clients, so that the
// clients and the sandbox test each other. It validates like the real service would: a sandbox
// that accepts anything would make every test that runs against it worthless.
package sandbox

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/tls"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/optout-sync/terraform-provider-outreach/internal/sandbox/dataverse"
)

// Options configure Start. The zero value is an in-memory sandbox on two free loopback ports.
type Options struct {
	// OutreachAddr is the Outreach API listener (plain HTTP). Default "127.0.0.1:0".
	OutreachAddr string
	// DynamicsAddr is the Dataverse and Entra ID listener (HTTPS). Default "127.0.0.1:0".
	DynamicsAddr string
	// StateDir keeps state.json and the TLS CA, certificate and keys. "" keeps everything in
	// memory. With a directory, every mutating request is written through before it is
	// answered, and Start picks the state up again, so a restart loses nothing.
	StateDir string
	// S2SPublicKey verifies the app tokens of the S2S app "sandbox-s2s-app" (install 1001).
	// nil disables the S2S exchange.
	S2SPublicKey *rsa.PublicKey
	// TLSCertificate, when set, is served on the Dynamics listener instead of a certificate
	// from StateDir or a fresh one; its last chain element is reported as the CA. Tests that
	// start many sandboxes in one process use it, because Go reads SSL_CERT_FILE only once.
	TLSCertificate *tls.Certificate
	// Now is the base clock (default time.Now). The admin clock offset is added to it.
	Now func() time.Time
	// Logf reports problems that cannot be returned to a caller, such as a failed write of
	// state.json after a request. Default log.Printf.
	Logf func(format string, args ...any)
	// EntraAccessTokenLifetime is the lifetime of the access tokens Entra ID mints; 0 means
	// 3599 s. Below five minutes MSAL asks for a new token for every request, which lets a test
	// see each sign-in of a long apply.
	EntraAccessTokenLifetime time.Duration
}

// Faults make the sandbox misbehave on purpose. PUT /_sandbox/faults replaces them; counts are
// "the next N requests".
type Faults struct {
	// LatencyMS delays every API request of both listeners (admin requests excepted).
	LatencyMS int `json:"latency_ms"`
	// Outreach429 answers the next N Outreach API requests with 429 rateLimitExceeded.
	Outreach429 int `json:"outreach_429"`
	// Outreach429RetryAfter is the Retry-After of those 429s (seconds or HTTP date; default "1").
	Outreach429RetryAfter string `json:"outreach_429_retry_after"`
	// Outreach503 answers the next N Outreach API requests with 503 scheduledServerMaintenance.
	Outreach503 int `json:"outreach_503"`
	// Outreach503RetryAfter is the Retry-After of those 503s (default "1").
	Outreach503RetryAfter string `json:"outreach_503_retry_after"`
	// OutreachLoseResponse applies the next N Outreach API writes (POST, PATCH, DELETE under
	// /api/v2/) and then answers 502 Bad Gateway instead of their response, as a proxy that lost
	// the upstream answer would: the write happened, the client cannot know it.
	OutreachLoseResponse int `json:"outreach_lose_response"`
	// RefreshLagSeconds makes refreshFields miss Dataverse columns created less than this many
	// seconds ago (sandbox clock), as the plugin does: it reads the CRM's metadata without strong
	// consistency, so a column created moments before a refresh may not be in the catalog yet.
	RefreshLagSeconds int `json:"refresh_lag_seconds"`
	// DynamicsClockStepSeconds moves the sandbox clock forward by this many seconds after each
	// Dataverse Web API request: a long apply in fast-forward, in which tokens and CI JWTs expire
	// between one request and the next.
	DynamicsClockStepSeconds int `json:"dynamics_clock_step_seconds"`
	// Faults are the Dataverse faults, forwarded to the org.
	dataverse.Faults
}

// Stats counts API requests per listener; admin requests are not counted.
type Stats struct {
	OutreachRequests int64 `json:"outreach_requests"`
	DynamicsRequests int64 `json:"dynamics_requests"`
	// OutreachWrites and DynamicsWrites count the configuration writes among them (POST, PATCH,
	// PUT, DELETE on /api/v2/ and /api/data/; token requests are not writes), so that a test can
	// prove that a rejected plan wrote nothing.
	OutreachWrites int64 `json:"outreach_writes"`
	DynamicsWrites int64 `json:"dynamics_writes"`
}

// Server is a running sandbox. Its methods are safe for concurrent use.
type Server struct {
	opts Options
	org  *dataverse.Org

	mu     sync.Mutex // guards st and faults
	st     *state
	faults Faults

	offset       atomic.Int64 // sandbox clock offset, nanoseconds
	outreachReqs atomic.Int64
	dynamicsReqs atomic.Int64
	outreachWr   atomic.Int64
	dynamicsWr   atomic.Int64

	outreachURL, dynamicsURL string
	oSrv, dSrv               *http.Server
	caPEM                    []byte
	caPath                   string
	statePath                string

	saveMu    sync.Mutex
	closeOnce sync.Once
	closeErr  error
}

const stateFile = "state.json"

// Start opens both listeners, loads the state from StateDir (or seeds a fresh one) and serves
// until Close.
func Start(opts Options) (*Server, error) {
	if opts.OutreachAddr == "" {
		opts.OutreachAddr = "127.0.0.1:0"
	}
	if opts.DynamicsAddr == "" {
		opts.DynamicsAddr = "127.0.0.1:0"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logf == nil {
		opts.Logf = log.Printf
	}
	s := &Server{opts: opts}
	if opts.StateDir != "" {
		if err := os.MkdirAll(opts.StateDir, 0o700); err != nil {
			return nil, fmt.Errorf("sandbox: state dir: %w", err)
		}
		s.statePath = filepath.Join(opts.StateDir, stateFile)
		s.caPath = filepath.Join(opts.StateDir, caCertFile)
	}
	var tm *tlsMaterial
	if opts.TLSCertificate != nil {
		chain := opts.TLSCertificate.Certificate
		if len(chain) == 0 {
			return nil, errors.New("sandbox: Options.TLSCertificate has no certificate")
		}
		tm = &tlsMaterial{cert: *opts.TLSCertificate, caPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: chain[len(chain)-1]})}
	} else {
		var err error
		if tm, err = loadOrCreateTLS(opts.StateDir); err != nil {
			return nil, fmt.Errorf("sandbox: TLS material: %w", err)
		}
	}
	s.caPEM = tm.caPEM

	oLn, err := net.Listen("tcp", opts.OutreachAddr)
	if err != nil {
		return nil, fmt.Errorf("sandbox: outreach listener: %w", err)
	}
	dLn, err := net.Listen("tcp", opts.DynamicsAddr)
	if err != nil {
		oLn.Close()
		return nil, fmt.Errorf("sandbox: dynamics listener: %w", err)
	}
	s.outreachURL = "http://" + oLn.Addr().String()
	s.dynamicsURL = "https://" + dLn.Addr().String()

	s.org = dataverse.NewOrg(dataverse.Config{
		Now:          s.Now,
		StaticToken:  DynamicsAccessToken,
		TenantID:     AzureTenantID,
		ClientID:     AzureClientID,
		ClientSecret: AzureClientSecret,

		AccessTokenLifetime: opts.EntraAccessTokenLifetime,
	})
	s.org.SetBaseURL(s.dynamicsURL)

	loaded, err := s.load()
	if err != nil {
		oLn.Close()
		dLn.Close()
		return nil, fmt.Errorf("sandbox: load %s: %w", s.statePath, err)
	}
	if !loaded {
		s.st = seedState(s.Now(), s.dynamicsURL, s.org)
	}
	// Faults are test configuration, not data: the org's snapshot carries its own, but a
	// restarted sandbox starts without any on both halves alike.
	s.org.SetFaults(dataverse.Faults{})
	// The seeded plugin is connected to this sandbox's Dataverse, whose port may differ from
	// the one the state was saved with.
	if p := s.st.Plugins[seedPluginID]; p != nil {
		p.InstanceURL = s.dynamicsURL
	}
	if err := s.save(); err != nil {
		oLn.Close()
		dLn.Close()
		return nil, fmt.Errorf("sandbox: save state: %w", err)
	}

	errLog := log.New(logfWriter(opts.Logf), "sandbox: ", 0)
	s.oSrv = &http.Server{Handler: http.HandlerFunc(s.handleOutreach), ErrorLog: errLog, ReadHeaderTimeout: 10 * time.Second}
	s.dSrv = &http.Server{
		Handler:           http.HandlerFunc(s.handleDynamics),
		ErrorLog:          errLog,
		ReadHeaderTimeout: 10 * time.Second,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{tm.cert}, MinVersion: tls.VersionTLS12},
	}
	go func() { _ = s.oSrv.Serve(oLn) }()
	go func() { _ = s.dSrv.ServeTLS(dLn, "", "") }()
	return s, nil
}

type logfWriter func(format string, args ...any)

func (f logfWriter) Write(p []byte) (int, error) {
	f("%s", strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// OutreachURL is the Outreach base URL, "http://127.0.0.1:port" (API paths are under /api/v2).
func (s *Server) OutreachURL() string { return s.outreachURL }

// DynamicsURL is the Dataverse org URL, "https://127.0.0.1:port". With a trailing "/" it is
// also the Entra ID authority host.
func (s *Server) DynamicsURL() string { return s.dynamicsURL }

// CACertPEM is the PEM of the CA that signed the Dataverse listener's certificate.
func (s *Server) CACertPEM() []byte { return append([]byte(nil), s.caPEM...) }

// CACertPath is the CA file in StateDir, for SSL_CERT_FILE; "" without a StateDir.
func (s *Server) CACertPath() string { return s.caPath }

// Close stops both listeners and writes the state a last time.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err1 := s.oSrv.Shutdown(ctx)
		err2 := s.dSrv.Shutdown(ctx)
		s.closeErr = errors.Join(err1, err2, s.save())
	})
	return s.closeErr
}

// Stats returns the request counters.
func (s *Server) Stats() Stats {
	return Stats{
		OutreachRequests: s.outreachReqs.Load(), DynamicsRequests: s.dynamicsReqs.Load(),
		OutreachWrites: s.outreachWr.Load(), DynamicsWrites: s.dynamicsWr.Load(),
	}
}

// SetFaults replaces the fault configuration of both halves.
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	s.faults = f
	s.mu.Unlock()
	s.org.SetFaults(f.Faults)
}

func (s *Server) currentFaults() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults
}

// Reset restores the seed of both halves and clears the faults. The clock offset is kept: the
// sandbox clock never runs backwards, so timestamps and token lifetimes stay monotonic.
func (s *Server) Reset() {
	s.org.Reset()
	s.org.SetFaults(dataverse.Faults{})
	s.mu.Lock()
	s.st = seedState(s.Now(), s.dynamicsURL, s.org)
	s.faults = Faults{}
	s.mu.Unlock()
	s.saveOrLog()
}

// AdvanceClock moves the sandbox clock forward (token expiry, rate-limit windows, timestamps).
func (s *Server) AdvanceClock(d time.Duration) {
	s.offset.Add(int64(d))
	s.saveOrLog()
}

// Now is the sandbox clock: Options.Now plus the offset moved by AdvanceClock.
func (s *Server) Now() time.Time {
	return s.opts.Now().Add(time.Duration(s.offset.Load()))
}

// --- request handling ---

func mutating(method string) bool {
	return method != http.MethodGet && method != http.MethodHead && method != http.MethodOptions
}

// sleepLatency applies the latency fault without outliving the request.
func (s *Server) sleepLatency(r *http.Request) {
	ms := s.currentFaults().LatencyMS
	if ms <= 0 {
		return
	}
	t := time.NewTimer(time.Duration(ms) * time.Millisecond)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
	}
}

// writeThrough runs h and, for a mutating request with a StateDir, saves the state before the
// response leaves: once a client has seen a success, a crash cannot lose it.
func (s *Server) writeThrough(w http.ResponseWriter, r *http.Request, h http.HandlerFunc) {
	if s.statePath == "" || !mutating(r.Method) {
		h(w, r)
		return
	}
	bw := &bufferedWriter{header: http.Header{}}
	h(bw, r)
	s.saveOrLog()
	bw.flushTo(w)
}

func (s *Server) handleOutreach(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_sandbox/") {
		s.serveAdmin(w, r)
		return
	}
	s.outreachReqs.Add(1)
	write := mutating(r.Method) && strings.HasPrefix(r.URL.Path, "/api/v2/")
	if write {
		s.outreachWr.Add(1)
	}
	s.sleepLatency(r)
	if write && s.takeLostResponse() {
		lost := &bufferedWriter{header: http.Header{}}
		s.writeThrough(lost, r, s.serveOutreach)
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte("<html><body><h1>502 Bad Gateway</h1></body></html>\n"))
		return
	}
	s.writeThrough(w, r, s.serveOutreach)
}

// takeLostResponse consumes one OutreachLoseResponse fault.
func (s *Server) takeLostResponse() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.faults.OutreachLoseResponse > 0 {
		s.faults.OutreachLoseResponse--
		return true
	}
	return false
}

func (s *Server) handleDynamics(w http.ResponseWriter, r *http.Request) {
	s.dynamicsReqs.Add(1)
	if mutating(r.Method) && strings.HasPrefix(r.URL.Path, "/api/data/") {
		s.dynamicsWr.Add(1)
	}
	s.sleepLatency(r)
	s.writeThrough(w, r, s.org.Handler().ServeHTTP)
	if step := s.currentFaults().DynamicsClockStepSeconds; step > 0 && strings.HasPrefix(r.URL.Path, "/api/data/") {
		s.AdvanceClock(time.Duration(step) * time.Second)
	}
}

func (s *Server) serveOutreach(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if path == "/oauth/token" {
		s.serveOAuthToken(w, r)
		return
	}
	if !strings.HasPrefix(path, "/api/") {
		setFreshRateHeaders(w.Header())
		writeErrors(w, http.StatusNotFound, apiError{ID: errNotFound, Detail: "no such resource: " + path})
		return
	}
	if s.injectFault(w) {
		return
	}
	if rest, ok := strings.CutPrefix(path, "/api/app/installs/"); ok {
		if id, action, _ := strings.Cut(rest, "/"); action == "actions/accessToken" {
			s.serveS2S(w, r, id)
			return
		}
		setFreshRateHeaders(w.Header())
		writeErrors(w, http.StatusNotFound, apiError{ID: errNotFound, Detail: "no such resource: " + path})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.Now()
	p := s.authenticate(r, now)
	if p == nil {
		writeUnauthorized(w)
		return
	}
	if ok, retry := s.hitRateLimit(w.Header(), p.rateKey, now); !ok {
		w.Header().Set("Retry-After", strconv.Itoa(retry))
		writeErrors(w, http.StatusTooManyRequests, apiError{ID: errRateLimit, Detail: fmt.Sprintf(
			"You have exceeded your permitted rate limit of %d; please try again at %s.", rateLimit, formatTime(now.Add(time.Duration(retry)*time.Second)))})
		return
	}
	if path != "/api/v2" && !strings.HasPrefix(path, "/api/v2/") {
		writeErrors(w, http.StatusNotFound, apiError{ID: errNotFound, Detail: "no such resource: " + path})
		return
	}
	s.serveAPI(w, r, p, now)
}

// injectFault answers with a configured 503 or 429 and reports whether it did. These stand for
// the API gateway's maintenance and throttling, so they apply to every /api request and come
// before authentication; the OAuth endpoint has its own throttle.
func (s *Server) injectFault(w http.ResponseWriter) bool {
	s.mu.Lock()
	var status int
	var retryAfter string
	switch {
	case s.faults.Outreach503 > 0:
		s.faults.Outreach503--
		status, retryAfter = http.StatusServiceUnavailable, s.faults.Outreach503RetryAfter
	case s.faults.Outreach429 > 0:
		s.faults.Outreach429--
		status, retryAfter = http.StatusTooManyRequests, s.faults.Outreach429RetryAfter
	}
	s.mu.Unlock()
	if status == 0 {
		return false
	}
	if retryAfter == "" {
		retryAfter = "1"
	}
	w.Header().Set("Retry-After", retryAfter)
	if status == http.StatusServiceUnavailable {
		setFreshRateHeaders(w.Header())
		writeErrors(w, status, apiError{ID: errMaintenance, Detail: "Outreach is undergoing scheduled maintenance; please retry later."})
		return true
	}
	reset := 1
	if n, err := strconv.Atoi(retryAfter); err == nil {
		reset = n
	}
	setRateHeaders(w.Header(), 0, reset)
	writeErrors(w, status, apiError{ID: errRateLimit, Detail: fmt.Sprintf("You have exceeded your permitted rate limit of %d; please try again later.", rateLimit)})
	return true
}

// bufferedWriter holds a response until the state has been saved.
type bufferedWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedWriter) Header() http.Header { return b.header }

func (b *bufferedWriter) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}

func (b *bufferedWriter) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

func (b *bufferedWriter) flushTo(w http.ResponseWriter) {
	for k, v := range b.header {
		w.Header()[k] = v
	}
	if b.status == 0 {
		b.status = http.StatusOK
	}
	w.WriteHeader(b.status)
	_, _ = io.Copy(w, &b.body)
}

// --- persistence ---

// persistedDoc is state.json: the Outreach state, the clock offset and the org's snapshot.
type persistedDoc struct {
	Version       int             `json:"version"`
	ClockOffsetNS int64           `json:"clock_offset_ns"`
	Outreach      json.RawMessage `json:"outreach"`
	Dataverse     json.RawMessage `json:"dataverse,omitempty"`
	// DataverseRaw holds a snapshot that is not JSON (base64 in the file).
	DataverseRaw []byte `json:"dataverse_raw,omitempty"`
}

func (s *Server) save() error {
	if s.statePath == "" {
		return nil
	}
	s.saveMu.Lock()
	defer s.saveMu.Unlock()
	s.mu.Lock()
	outreach, err := json.Marshal(s.st)
	s.mu.Unlock()
	if err != nil {
		return err
	}
	snap, err := s.org.Snapshot()
	if err != nil {
		return fmt.Errorf("dataverse snapshot: %w", err)
	}
	doc := persistedDoc{Version: 1, ClockOffsetNS: s.offset.Load(), Outreach: outreach}
	if json.Valid(snap) {
		doc.Dataverse = snap
	} else {
		doc.DataverseRaw = snap
	}
	b, err := json.MarshalIndent(doc, "", " ")
	if err != nil {
		return err
	}
	return writeFileAtomic(s.statePath, b, 0o600)
}

func (s *Server) saveOrLog() {
	if err := s.save(); err != nil {
		s.opts.Logf("sandbox: saving %s failed: %v", s.statePath, err)
	}
}

// load restores state.json; false means there was none.
func (s *Server) load() (bool, error) {
	if s.statePath == "" {
		return false, nil
	}
	b, err := os.ReadFile(s.statePath)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	var doc persistedDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		return false, err
	}
	st := newState()
	if err := json.Unmarshal(doc.Outreach, st); err != nil {
		return false, fmt.Errorf("outreach state: %w", err)
	}
	st.fillMaps()
	snap := []byte(doc.Dataverse)
	if len(snap) == 0 {
		snap = doc.DataverseRaw
	}
	if len(snap) > 0 {
		if err := s.org.Restore(snap); err != nil {
			return false, fmt.Errorf("dataverse state: %w", err)
		}
	}
	s.st = st
	s.offset.Store(doc.ClockOffsetNS)
	return true, nil
}
