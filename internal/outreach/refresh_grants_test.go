package outreach_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/optout-sync/terraform-provider-outreach/internal/outreach"
	"github.com/optout-sync/terraform-provider-outreach/internal/sandbox"
)

// TestSandboxTwoGrantsOnOneOAuthAppKeepTheirChains: two users (or orgs) behind one OAuth client,
// as two provider aliases or two workspaces sharing the token cache directory, run every day for
// more than the 14 days a seed refresh token lives. Each run is a new process. A cache keyed by
// the client alone made each run throw away the other grant's rotated token and start again from
// its seed, until the seed expired and the run failed with invalid_grant.
func TestSandboxTwoGrantsOnOneOAuthAppKeepTheirChains(t *testing.T) {
	srv := startSandbox(t, sandbox.Options{})
	dir := t.TempDir()
	ctx := context.Background()
	run := func(seed string) error {
		src, err := outreach.NewRefreshSource(outreach.RefreshConfig{
			BaseURL: srv.OutreachURL(), ClientID: sbClientID, ClientSecret: sbClientSecret, RedirectURI: sbRedirectURI,
			RefreshToken: seed, CacheDir: dir, HTTPClient: &http.Client{}, Policy: policy(nil), Now: srv.Now,
		})
		if err != nil {
			return err
		}
		_, err = clientWith(t, srv, src).GetPlugin(ctx, sbPluginID)
		return err
	}
	for day := 0; day <= 16; day++ {
		for _, seed := range []string{sbSeedRefresh, sandbox.SecondSeedRefreshToken} {
			if err := run(seed); err != nil {
				t.Fatalf("day %d, grant %s: %v", day, map[bool]string{true: "1", false: "2"}[seed == sbSeedRefresh], err)
			}
		}
		srv.AdvanceClock(24 * time.Hour)
	}
	files, err := filepath.Glob(filepath.Join(dir, "outreach-token-*.json"))
	if err != nil || len(files) != 2 {
		t.Fatalf("cache files %v (%v), want one per grant", files, err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{sbSeedRefresh, sandbox.SecondSeedRefreshToken, sbClientSecret} {
			if bytes.Contains(b, []byte(secret)) || bytes.Contains([]byte(filepath.Base(f)), []byte(secret)) {
				t.Errorf("%s holds a secret in clear", f)
			}
		}
	}
}
