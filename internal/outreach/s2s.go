package outreach

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/optout-sync/terraform-provider-outreach/internal/httpx"
)

// S2SConfig configures the server-to-server token source (contract section 4).
type S2SConfig struct {
	// BaseURL is the Outreach host; default DefaultBaseURL.
	BaseURL string
	// AppID is the app's S2S GUID (the JWT issuer); InstallID the app installation.
	AppID, InstallID string
	// PrivateKey signs the app JWT; its public half is uploaded to the Outreach app.
	PrivateKey *rsa.PrivateKey
	// HTTPClient is the transport; nil = default.
	HTTPClient *http.Client
	// Policy is the shared retry and logging policy.
	Policy httpx.Policy
	// Now is the clock; nil = time.Now.
	Now func() time.Time
}

// appTokenLifetime is the longest app JWT Outreach accepts (exp ≤ iat + 3600).
const appTokenLifetime = time.Hour

// NewS2SSource returns a token source that signs an RS256 app JWT {iss: AppID, iat, exp: iat+1h}
// and exchanges it at POST /api/app/installs/<InstallID>/actions/accessToken. The access token is
// kept in memory until shortly before its expiresAt. The source implements
// InvalidatingTokenSource.
func NewS2SSource(cfg S2SConfig) (TokenSource, error) {
	base, _, err := normalizeBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(cfg.AppID) == "" {
		return nil, errors.New("outreach S2S: the app id (S2S GUID) is empty")
	}
	if strings.TrimSpace(cfg.InstallID) == "" {
		return nil, errors.New("outreach S2S: the install id is empty")
	}
	if cfg.PrivateKey == nil {
		return nil, errors.New("outreach S2S: no private key configured")
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &s2sSource{
		cfg:      cfg,
		endpoint: base + "/api/app/installs/" + url.PathEscape(cfg.InstallID) + "/actions/accessToken",
		http:     httpx.New(cfg.HTTPClient, cfg.Policy),
		now:      now,
	}, nil
}

type s2sSource struct {
	cfg      S2SConfig
	endpoint string
	http     *httpx.Client
	now      func() time.Time

	// mu is held across a mint, so that concurrent callers wait for one exchange instead of each
	// making their own.
	mu      sync.Mutex
	token   string
	expires time.Time
}

func (s *s2sSource) Token(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.token != "" && s.now().Add(expirySkew).Before(s.expires) {
		return s.token, nil
	}
	tok, exp, err := s.mint(ctx)
	if err != nil {
		return "", err
	}
	s.token, s.expires = tok, exp
	return tok, nil
}

func (s *s2sSource) Invalidate(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.token == token {
		s.token, s.expires = "", time.Time{}
	}
}

// appToken signs the app JWT: RS256, iss = the app's S2S GUID, exp one hour after iat.
func (s *s2sSource) appToken() (string, error) {
	iat := s.now()
	claims := jwt.RegisteredClaims{
		Issuer:    s.cfg.AppID,
		IssuedAt:  jwt.NewNumericDate(iat),
		ExpiresAt: jwt.NewNumericDate(iat.Add(appTokenLifetime)),
	}
	signed, err := jwt.NewWithClaims(jwt.SigningMethodRS256, claims).SignedString(s.cfg.PrivateKey)
	if err != nil {
		return "", fmt.Errorf("outreach S2S: signing the app token: %w", err)
	}
	return signed, nil
}

const s2sEndpointName = "Outreach S2S token exchange"

func (s *s2sSource) mint(ctx context.Context) (string, time.Time, error) {
	appTok, err := s.appToken()
	if err != nil {
		return "", time.Time{}, err
	}
	h := http.Header{}
	h.Set("Authorization", "Bearer "+appTok)
	h.Set("Accept", "application/json")
	started := s.now()
	// The exchange mints a token but rotates nothing, so repeating it after a lost answer is
	// harmless: marked idempotent so a 502/503/504 is retried like a read.
	resp, err := s.http.Do(ctx, &httpx.Request{Method: http.MethodPost, URL: s.endpoint, Header: h, Idempotent: true})
	if err != nil {
		return "", time.Time{}, fmt.Errorf("%s: %w", s2sEndpointName, err)
	}
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
		e := decodeTokenEndpointError(s2sEndpointName, resp.StatusCode, resp.Body)
		switch resp.StatusCode {
		case http.StatusUnauthorized:
			e.Hint = "Outreach refused the app token: check the app id (S2S GUID) and that the private key matches a public key uploaded to the app"
		case http.StatusNotFound, http.StatusForbidden:
			e.Hint = "check the install id, and that the app is installed in an organization that is not locked"
		case http.StatusTooManyRequests:
			e.Hint = "Outreach throttled the token exchange and the retries ran out; try again in a minute"
		}
		return "", time.Time{}, e
	}
	var doc struct {
		Data struct {
			Meta struct {
				AccessToken string `json:"accessToken"`
				ExpiresAt   string `json:"expiresAt"`
			} `json:"meta"`
		} `json:"data"`
	}
	if err := json.Unmarshal(resp.Body, &doc); err != nil || doc.Data.Meta.AccessToken == "" {
		return "", time.Time{}, fmt.Errorf("%s: the answer has no data.meta.accessToken", s2sEndpointName)
	}
	// The documented lifetime is one hour; use it when expiresAt is missing or unreadable.
	exp := started.Add(time.Hour)
	if t, err := time.Parse(time.RFC3339Nano, doc.Data.Meta.ExpiresAt); err == nil {
		exp = t
	}
	logf(ctx, s.cfg.Policy, "minted an Outreach S2S access token", map[string]any{"expires_at": exp.UTC().Format(time.RFC3339)})
	return doc.Data.Meta.AccessToken, exp, nil
}

// ParsePrivateKey reads an RSA private key from PEM text (PKCS#1 "RSA PRIVATE KEY" or PKCS#8
// "PRIVATE KEY") or from the path of a PEM file. Errors never quote the input: it may be key
// material pasted in the wrong place.
func ParsePrivateKey(pemOrPath string) (*rsa.PrivateKey, error) {
	text := strings.TrimSpace(pemOrPath)
	if text == "" {
		return nil, errors.New("private key: empty")
	}
	if !strings.Contains(text, "-----BEGIN") {
		if strings.ContainsAny(text, "\n\r") || len(text) > 4096 {
			return nil, errors.New("private key: neither PEM text (-----BEGIN ... PRIVATE KEY-----) nor a file path")
		}
		b, err := os.ReadFile(text)
		if err != nil {
			// The path is the user's own setting; the underlying reason without the path keeps the
			// message free of whatever was configured, in case it was not a path at all.
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return nil, fmt.Errorf("private key: not PEM text, and reading it as a file path failed: %v", err)
		}
		text = string(b)
		if !strings.Contains(text, "-----BEGIN") {
			return nil, errors.New("private key: the file does not contain a PEM block")
		}
	}
	// A PEM pasted into an environment variable often has literal \n instead of line breaks.
	if !strings.Contains(text, "\n") && strings.Contains(text, `\n`) {
		text = strings.ReplaceAll(text, `\n`, "\n")
	}
	rest := []byte(text)
	var sawOther []string
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if _, encrypted := block.Headers["Proc-Type"]; encrypted && strings.Contains(block.Headers["Proc-Type"], "ENCRYPTED") {
			return nil, errors.New("private key: the PEM block is encrypted; decrypt it first (openssl pkey -in key.pem -out key-plain.pem)")
		}
		switch block.Type {
		case "RSA PRIVATE KEY":
			k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("private key: invalid PKCS#1 RSA key: %v", err)
			}
			return k, nil
		case "PRIVATE KEY":
			k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("private key: invalid PKCS#8 key: %v", err)
			}
			rk, ok := k.(*rsa.PrivateKey)
			if !ok {
				return nil, fmt.Errorf("private key: a %T, not an RSA key; Outreach app tokens are signed with RS256", k)
			}
			return rk, nil
		case "ENCRYPTED PRIVATE KEY":
			return nil, errors.New("private key: the PKCS#8 key is encrypted; decrypt it first (openssl pkey -in key.pem -out key-plain.pem)")
		default:
			sawOther = append(sawOther, block.Type)
		}
	}
	if len(sawOther) > 0 {
		return nil, fmt.Errorf("private key: no RSA private key among the PEM blocks (found %s); the private key is needed, not the public key or a certificate", strings.Join(sawOther, ", "))
	}
	return nil, errors.New("private key: no readable PEM block")
}
