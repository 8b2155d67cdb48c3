// Command outreach-sandbox runs the local Outreach + Dataverse sandbox (`make sandbox`) and
// prints the environment a user needs to point the provider at it.
package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/optout-sync/terraform-provider-outreach/internal/sandbox"
)

const s2sKeyFile = "s2s-private.pem"

func main() {
	outreachAddr := flag.String("outreach-addr", "127.0.0.1:8787", "Outreach API listen address (http)")
	dynamicsAddr := flag.String("dynamics-addr", "127.0.0.1:8788", "Dataverse and Entra ID listen address (https)")
	stateDir := flag.String("state-dir", "./.sandbox", "directory for state.json, the TLS CA and the S2S key")
	envFile := flag.String("env-file", "", "also write the export lines to this file")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("outreach-sandbox: ")
	if err := run(*outreachAddr, *dynamicsAddr, *stateDir, *envFile); err != nil {
		log.Fatal(err)
	}
}

func run(outreachAddr, dynamicsAddr, stateDir, envFile string) error {
	dir, err := filepath.Abs(stateDir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	keyPath := filepath.Join(dir, s2sKeyFile)
	key, err := loadOrCreateS2SKey(keyPath)
	if err != nil {
		return fmt.Errorf("S2S key: %w", err)
	}
	srv, err := sandbox.Start(sandbox.Options{
		OutreachAddr: outreachAddr,
		DynamicsAddr: dynamicsAddr,
		StateDir:     dir,
		S2SPublicKey: &key.PublicKey,
	})
	if err != nil {
		return err
	}
	env := exportLines(srv, keyPath)
	fmt.Print(env)
	if envFile != "" {
		if err := os.WriteFile(envFile, []byte(env), 0o600); err != nil {
			_ = srv.Close()
			return fmt.Errorf("env file: %w", err)
		}
		log.Printf("wrote %s (source it in your shell)", envFile)
	}
	log.Printf("serving Outreach on %s and Dataverse on %s; state in %s; Ctrl-C to stop", srv.OutreachURL(), srv.DynamicsURL(), dir)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	log.Printf("stopping")
	return srv.Close()
}

// exportLines is what a user pastes into a shell. The static tokens are the default; the other
// credential kinds the provider supports are listed as comments so they can be tried too.
func exportLines(srv *sandbox.Server, keyPath string) string {
	var b strings.Builder
	line := func(k, v string) { fmt.Fprintf(&b, "export %s=%s\n", k, shellQuote(v)) }
	line("OUTREACH_BASE_URL", srv.OutreachURL())
	line("OUTREACH_ACCESS_TOKEN", sandbox.StaticAccessToken)
	line("OUTREACH_PLUGIN_ID", "1")
	line("DYNAMICS_URL", srv.DynamicsURL())
	line("DYNAMICS_ACCESS_TOKEN", sandbox.DynamicsAccessToken)
	line("SSL_CERT_FILE", srv.CACertPath())
	fmt.Fprintf(&b, "# Alternatives to OUTREACH_ACCESS_TOKEN:\n")
	fmt.Fprintf(&b, "#   rotating refresh token: OUTREACH_CLIENT_ID=%s OUTREACH_CLIENT_SECRET=%s OUTREACH_REDIRECT_URI=%s OUTREACH_REFRESH_TOKEN=%s\n",
		sandbox.OAuthClientID, sandbox.OAuthClientSecret, sandbox.OAuthRedirectURI, sandbox.SeedRefreshToken)
	fmt.Fprintf(&b, "#   S2S app token: OUTREACH_S2S_APP_ID=%s OUTREACH_S2S_INSTALL_ID=%s OUTREACH_S2S_PRIVATE_KEY=%s\n",
		sandbox.S2SAppID, strconv.Itoa(sandbox.S2SInstallID), shellQuote(keyPath))
	fmt.Fprintf(&b, "#   read-only token (plugins.read): OUTREACH_ACCESS_TOKEN=%s\n", sandbox.ReadOnlyAccessToken)
	fmt.Fprintf(&b, "#   oversight token (auditLogs.read, sequences.read): OUTREACH_ACCESS_TOKEN=%s\n", sandbox.OversightAccessToken)
	fmt.Fprintf(&b, "# Alternative to DYNAMICS_ACCESS_TOKEN (Entra ID client secret):\n")
	fmt.Fprintf(&b, "#   AZURE_TENANT_ID=%s AZURE_CLIENT_ID=%s AZURE_CLIENT_SECRET=%s AZURE_AUTHORITY_HOST=%s/\n",
		sandbox.AzureTenantID, sandbox.AzureClientID, sandbox.AzureClientSecret, srv.DynamicsURL())
	fmt.Fprintf(&b, "# ... or without a secret, as GitHub Actions does (unset DYNAMICS_ACCESS_TOKEN; with the AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_AUTHORITY_HOST above):\n")
	fmt.Fprintf(&b, "#   DYNAMICS_USE_OIDC=true ACTIONS_ID_TOKEN_REQUEST_URL=%s ACTIONS_ID_TOKEN_REQUEST_TOKEN=%s\n",
		shellQuote(srv.GitHubRequestURL()), sandbox.GitHubRequestToken)
	return b.String()
}

// shellQuote leaves plain values alone and single-quotes anything else, so that a state dir with
// spaces survives `eval`.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9') && !strings.ContainsRune("-_./:=@", r)
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// loadOrCreateS2SKey keeps the S2S app's key pair across runs: a client configured with the
// private key keeps working after a restart.
func loadOrCreateS2SKey(path string) (*rsa.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		blk, _ := pem.Decode(b)
		if blk == nil {
			return nil, fmt.Errorf("%s: no PEM block", path)
		}
		k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
		if err != nil {
			if k1, err1 := x509.ParsePKCS1PrivateKey(blk.Bytes); err1 == nil {
				return k1, nil
			}
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("%s: not an RSA key", path)
		}
		return rk, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		return nil, err
	}
	pubDER, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		return nil, err
	}
	// The public half beside it mirrors what a developer uploads to Outreach's app settings.
	pubPath := strings.TrimSuffix(path, "-private.pem") + "-public.pem"
	if err := os.WriteFile(pubPath, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}), 0o644); err != nil {
		return nil, err
	}
	return k, nil
}
