package sandbox

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// TLS material file names in the state directory. ca.pem is world-readable on purpose: a user
// points SSL_CERT_FILE at it.
const (
	caCertFile   = "ca.pem"
	caKeyFile    = "ca-key.pem"
	leafCertFile = "cert.pem"
	leafKeyFile  = "key.pem"
)

// tlsMaterial is the sandbox's private CA and the Dataverse listener's certificate.
type tlsMaterial struct {
	cert  tls.Certificate
	caPEM []byte
}

// NewTLSCertificate makes an in-memory CA and a certificate it signed for 127.0.0.1, ::1 and
// localhost, for Options.TLSCertificate: a test process that starts many sandboxes trusts one CA
// (caPEM, e.g. through SSL_CERT_FILE) for all of them.
func NewTLSCertificate() (cert *tls.Certificate, caPEM []byte, err error) {
	m, err := loadOrCreateTLS("")
	if err != nil {
		return nil, nil, err
	}
	return &m.cert, m.caPEM, nil
}

// loadOrCreateTLS reuses the CA and certificate in dir when they are still good, so that a
// restarted sandbox keeps working with an SSL_CERT_FILE set earlier. With dir == "" everything
// is generated in memory. Certificates use the real clock, not the sandbox clock: TLS clients
// check them against their own.
func loadOrCreateTLS(dir string) (*tlsMaterial, error) {
	now := time.Now()
	var caCert *x509.Certificate
	var caKey *ecdsa.PrivateKey
	if dir != "" {
		caCert, caKey = loadCA(dir, now)
		if caCert != nil {
			if m, ok := loadLeaf(dir, caCert, now); ok {
				return m, nil
			}
		}
	}
	var caDER []byte
	if caCert == nil {
		var err error
		caKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, err
		}
		tmpl := &x509.Certificate{
			SerialNumber:          serial(),
			Subject:               pkix.Name{CommonName: "outreach-sandbox local CA", Organization: []string{"terraform-provider-outreach sandbox"}},
			NotBefore:             now.Add(-time.Hour),
			NotAfter:              now.AddDate(10, 0, 0),
			IsCA:                  true,
			BasicConstraintsValid: true,
			MaxPathLenZero:        true,
			KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		}
		caDER, err = x509.CreateCertificate(rand.Reader, tmpl, tmpl, &caKey.PublicKey, caKey)
		if err != nil {
			return nil, err
		}
		if caCert, err = x509.ParseCertificate(caDER); err != nil {
			return nil, err
		}
	} else {
		caDER = caCert.Raw
	}
	leafKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	leafTmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: "localhost"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(2, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1"), net.IPv6loopback},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, caCert, &leafKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	leafPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leafDER})
	leafKeyDER, err := x509.MarshalECPrivateKey(leafKey)
	if err != nil {
		return nil, err
	}
	leafKeyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: leafKeyDER})
	if dir != "" {
		caKeyDER, err := x509.MarshalECPrivateKey(caKey)
		if err != nil {
			return nil, err
		}
		for _, f := range []struct {
			name string
			data []byte
			perm os.FileMode
		}{
			{caCertFile, caPEM, 0o644},
			{caKeyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: caKeyDER}), 0o600},
			{leafCertFile, leafPEM, 0o644},
			{leafKeyFile, leafKeyPEM, 0o600},
		} {
			if err := writeFileAtomic(filepath.Join(dir, f.name), f.data, f.perm); err != nil {
				return nil, err
			}
		}
	}
	cert, err := tls.X509KeyPair(leafPEM, leafKeyPEM)
	if err != nil {
		return nil, err
	}
	return &tlsMaterial{cert: cert, caPEM: caPEM}, nil
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 126))
	if err != nil {
		panic(err)
	}
	return n
}

// loadCA returns the persisted CA if it parses and has at least a year left.
func loadCA(dir string, now time.Time) (*x509.Certificate, *ecdsa.PrivateKey) {
	certPEM, err1 := os.ReadFile(filepath.Join(dir, caCertFile))
	keyPEM, err2 := os.ReadFile(filepath.Join(dir, caKeyFile))
	if err1 != nil || err2 != nil {
		return nil, nil
	}
	cert, err := parseCertPEM(certPEM)
	if err != nil || !cert.IsCA || now.AddDate(1, 0, 0).After(cert.NotAfter) {
		return nil, nil
	}
	kb, _ := pem.Decode(keyPEM)
	if kb == nil {
		return nil, nil
	}
	key, err := x509.ParseECPrivateKey(kb.Bytes)
	if err != nil || !key.PublicKey.Equal(cert.PublicKey) {
		return nil, nil
	}
	return cert, key
}

// loadLeaf returns the persisted server certificate if the CA signed it, it covers the loopback
// names, and it has at least 30 days left.
func loadLeaf(dir string, ca *x509.Certificate, now time.Time) (*tlsMaterial, bool) {
	certPEM, err1 := os.ReadFile(filepath.Join(dir, leafCertFile))
	keyPEM, err2 := os.ReadFile(filepath.Join(dir, leafKeyFile))
	if err1 != nil || err2 != nil {
		return nil, false
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, false
	}
	leaf, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil || now.AddDate(0, 0, 30).After(leaf.NotAfter) || leaf.CheckSignatureFrom(ca) != nil {
		return nil, false
	}
	for _, host := range []string{"localhost", "127.0.0.1", "::1"} {
		if leaf.VerifyHostname(host) != nil {
			return nil, false
		}
	}
	return &tlsMaterial{cert: pair, caPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Raw})}, true
}

func parseCertPEM(b []byte) (*x509.Certificate, error) {
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "CERTIFICATE" {
		return nil, errors.New("no certificate PEM block")
	}
	return x509.ParseCertificate(blk.Bytes)
}

// writeFileAtomic replaces path with data so that a reader (or a crash) never sees a partial
// file: write a temp file in the same directory, fsync it, rename it over path, fsync the
// directory.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op once renamed
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("replace %s: %w", path, err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
