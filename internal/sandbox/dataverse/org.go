package dataverse

import (
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// Config configures an Org. The zero value is usable: every empty field takes the sandbox default.
type Config struct {
	// Now is the clock used for token expiry and metadata timestamps; nil means time.Now.
	Now func() time.Time
	// StaticToken is a bearer token accepted without going through Entra ID; default
	// "sandbox-dynamics-token".
	StaticToken string
	// TenantID is the only Entra ID tenant the token endpoints know; default
	// "00000000-0000-0000-0000-0000000000aa".
	TenantID string
	// ClientID and ClientSecret identify the only Entra ID app registration; defaults
	// "sandbox-azure-client" / "sandbox-azure-secret".
	ClientID, ClientSecret string
	// MetadataCacheLag is how long a metadata write stays invisible to requests without
	// `Consistency: Strong` (cache.go); 0 means DefaultMetadataCacheLag, a negative value turns
	// the lag off.
	MetadataCacheLag time.Duration
	// FederatedCredentials are the app registration's federated identity credentials
	// (federation.go); nil means DefaultFederatedCredentials.
	FederatedCredentials []FederatedCredential
	// AccessTokenLifetime is the lifetime of a minted access token; 0 means Entra ID's 3599 s.
	// Tests that need a client to come back for a new token within one process shorten it.
	AccessTokenLifetime time.Duration
}

// Defaults applied by NewOrg to an empty Config field.
const (
	DefaultStaticToken  = "sandbox-dynamics-token"
	DefaultTenantID     = "00000000-0000-0000-0000-0000000000aa"
	DefaultClientID     = "sandbox-azure-client"
	DefaultClientSecret = "sandbox-azure-secret"
)

// Org is one emulated Dataverse organization plus its Entra ID tenant. All methods are safe for
// concurrent use; requests are served one at a time under the org's mutex, which also gives the
// strictly sequential metadata engine real Dataverse has.
type Org struct {
	cfg Config

	mu      sync.Mutex
	baseURL string // no trailing slash; "" = derive from each request
	st      *state

	federated  []FederatedCredential
	issuerKeys map[string]*rsa.PrivateKey // of the emulated CI identity providers, by issuer
	tokenLog   []TokenRequest
}

// NewOrg returns an org in its seeded state: tables lead, contact, account, opportunity, task,
// appointment and systemuser with their standard columns; the default publisher (prefix "new");
// the unmanaged solution OptOutSync (publisher prefix "new") and the managed System solution.
func NewOrg(cfg Config) *Org {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.StaticToken == "" {
		cfg.StaticToken = DefaultStaticToken
	}
	if cfg.TenantID == "" {
		cfg.TenantID = DefaultTenantID
	}
	if cfg.ClientID == "" {
		cfg.ClientID = DefaultClientID
	}
	if cfg.ClientSecret == "" {
		cfg.ClientSecret = DefaultClientSecret
	}
	if cfg.MetadataCacheLag == 0 {
		cfg.MetadataCacheLag = DefaultMetadataCacheLag
	}
	if cfg.AccessTokenLifetime <= 0 {
		cfg.AccessTokenLifetime = tokenLifetime
	}
	fed := cfg.FederatedCredentials
	if fed == nil {
		fed = DefaultFederatedCredentials()
	}
	return &Org{cfg: cfg, st: seedState(), federated: fed}
}

// SetBaseURL sets the org's public URL, e.g. "https://127.0.0.1:8788" (a trailing slash is
// dropped). It is the origin of OData-EntityId and @odata.context URLs, of the endpoints in the
// OpenID configuration, and the only audience a minted token is valid for. Until it is set, each
// request's own scheme and host are used.
func (o *Org) SetBaseURL(u string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.baseURL = strings.TrimRight(u, "/")
}

// Handler serves the Dataverse Web API under /api/data/v9.2/ and the Entra ID endpoints under
// /{tenant}/, both relative to the base URL.
func (o *Org) Handler() http.Handler { return http.HandlerFunc(o.serveHTTP) }

// Column is the catalog view of a table column.
type Column struct {
	LogicalName string
	// DisplayName is the label in the user's language (1033).
	DisplayName string
	// Type is the catalog type: boolean, string, integer, decimal, datetime, picklist or lookup.
	Type string
	// Writable is the column's IsValidForUpdate.
	Writable bool
	// CreatedOn is when the column was created (the seed's time for system columns).
	CreatedOn time.Time
}

// Columns returns the current column metadata of a table, ordered by logical name; false when
// there is no such table. Columns created through the API are included as soon as they exist
// (the metadata-cache-lag fault only affects HTTP reads).
func (o *Org) Columns(entity string) ([]Column, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	t := o.table(entity)
	if t == nil {
		return nil, false
	}
	cols := make([]Column, 0, len(t.Attributes))
	for _, a := range t.Attributes {
		cols = append(cols, Column{LogicalName: a.LogicalName, DisplayName: a.DisplayName.text(),
			Type: catalogType(a.AttributeType), Writable: a.IsValidForUpdate, CreatedOn: a.CreatedOn})
	}
	sort.Slice(cols, func(i, j int) bool { return cols[i].LogicalName < cols[j].LogicalName })
	return cols, true
}

// Entities returns the logical names of all tables, sorted.
func (o *Org) Entities() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	names := make([]string, 0, len(o.st.Tables))
	for _, t := range o.st.Tables {
		names = append(names, t.LogicalName)
	}
	sort.Strings(names)
	return names
}

// Snapshot returns the whole mutable state as JSON: tables and columns, publishers, solutions
// and their components, data records, minted tokens, faults and stats. Restore accepts it.
func (o *Org) Snapshot() ([]byte, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return json.Marshal(o.st)
}

// Restore replaces the state with one produced by Snapshot. On error the state is unchanged.
func (o *Org) Restore(b []byte) error {
	var st state
	if err := json.Unmarshal(b, &st); err != nil {
		return fmt.Errorf("dataverse: restore: %w", err)
	}
	if st.Version != stateVersion {
		return fmt.Errorf("dataverse: restore: snapshot version %d, want %d", st.Version, stateVersion)
	}
	if len(st.Tables) == 0 {
		return errors.New("dataverse: restore: snapshot has no tables")
	}
	for _, t := range st.Tables {
		if t == nil || t.LogicalName == "" {
			return errors.New("dataverse: restore: snapshot has a table without a logical name")
		}
		for _, a := range t.Attributes {
			if a == nil || a.LogicalName == "" || (a.AttributeType == "Boolean" && (a.OptionSet == nil || a.OptionSet.TrueOption == nil || a.OptionSet.FalseOption == nil)) {
				return fmt.Errorf("dataverse: restore: table %s has an incomplete column", t.LogicalName)
			}
		}
	}
	if st.Tokens == nil {
		st.Tokens = map[string]*token{}
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.st = &st
	return nil
}

// Reset puts the org back to its seed, including faults, stats, minted tokens and the token log.
func (o *Org) Reset() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.st = seedState()
	o.tokenLog = nil
}

// Faults are injected failures. Each counter is consumed as the fault fires.
type Faults struct {
	// Lock makes the next N metadata writes (POST/PUT/DELETE on attributes, UpdateOptionValue,
	// PublishXml, PublishAllXml, AddSolutionComponent) fail with a customization-lock error.
	Lock int `json:"dynamics_lock"`
	// LockStatus is the HTTP status of that error; 0 means 400. Real captures show 400, 429
	// and 503.
	LockStatus int `json:"dynamics_lock_status"`
	// PublishLock makes the next N PublishXml / PublishAllXml calls fail with the same
	// customization-lock error, leaving the other writes alone: a publish collides with
	// another customization more often than a column change does (facts 3.8).
	PublishLock int `json:"dynamics_publish_lock"`
	// NotFoundAfterCreate makes the next N single-attribute GETs of a column created after it
	// was set answer 404 (metadata cache lag), even with Consistency: Strong.
	NotFoundAfterCreate int `json:"dynamics_404_after_create"`
	// Throttle makes the next N Web API requests answer 429 with Retry-After.
	Throttle int `json:"dynamics_429"`
	// RetryAfter is the Retry-After value of those 429s; default "1".
	RetryAfter string `json:"dynamics_retry_after"`
}

// SetFaults replaces the injected faults. Columns created before this call are no longer subject
// to the 404-after-create fault.
func (o *Org) SetFaults(f Faults) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.st.Faults = f
	o.st.Hidden = nil
}

// CurrentFaults returns the faults that have not fired yet.
func (o *Org) CurrentFaults() Faults {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.st.Faults
}

// AddDependencies records n more components that depend on a column, so that deleting it fails
// with 0x8004F01F "... referenced by <total> other components". A negative n removes
// dependencies (the total never goes below zero).
func (o *Org) AddDependencies(entity, attribute string, n int) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	t := o.table(entity)
	if t == nil {
		return fmt.Errorf("dataverse: no table %q", entity)
	}
	a := t.attribute(attribute)
	if a == nil {
		return fmt.Errorf("dataverse: no column %q on table %q", attribute, entity)
	}
	a.Dependencies = max(a.Dependencies+n, 0)
	return nil
}

// OrgStats are counters of what the org has served.
type OrgStats struct {
	// Requests counts every request to the Handler (Web API and Entra ID).
	Requests int `json:"requests"`
	// MetadataWrites counts successful metadata writes: column create, update and delete,
	// UpdateOptionValue and AddSolutionComponent. Publishing is counted separately.
	MetadataWrites int `json:"metadata_writes"`
	// Publishes counts successful PublishXml and PublishAllXml calls.
	Publishes int `json:"publishes"`
	// Unpublished is the number of tables that have updates not yet published.
	Unpublished int `json:"unpublished"`
	// TokensIssued counts access tokens minted by the token endpoint.
	TokensIssued int `json:"tokens_issued"`
	// Throttled, LockFaults and NotFoundFaults count injected faults that fired.
	Throttled      int `json:"throttled"`
	LockFaults     int `json:"lock_faults"`
	NotFoundFaults int `json:"not_found_faults"`
	// StaleReads counts requests served from the metadata cache while it lagged a write (they
	// carried no `Consistency: Strong`).
	StaleReads int `json:"stale_reads"`
}

// Stats returns the counters.
func (o *Org) Stats() OrgStats {
	o.mu.Lock()
	defer o.mu.Unlock()
	s := o.st.Stats
	s.Unpublished = 0
	for _, t := range o.st.Tables {
		if t.Unpublished {
			s.Unpublished++
		}
	}
	return s
}

// table returns the table with that logical name (case-insensitive), or nil.
func (o *Org) table(logicalName string) *table {
	for _, t := range o.st.Tables {
		if strings.EqualFold(t.LogicalName, logicalName) {
			return t
		}
	}
	return nil
}

func (o *Org) tableByID(id string) *table {
	for _, t := range o.st.Tables {
		if strings.EqualFold(t.MetadataID, id) {
			return t
		}
	}
	return nil
}

func (o *Org) solution(uniqueName string) *solution {
	for _, s := range o.st.Solutions {
		if strings.EqualFold(s.UniqueName, uniqueName) {
			return s
		}
	}
	return nil
}

func (o *Org) publisher(id string) *publisher {
	for _, p := range o.st.Publishers {
		if strings.EqualFold(p.ID, id) {
			return p
		}
	}
	return nil
}

// findAttribute looks a column up by MetadataId across all tables.
func (o *Org) findAttribute(id string) *attribute {
	for _, t := range o.st.Tables {
		if a := t.attributeByID(id); a != nil {
			return a
		}
	}
	return nil
}

func (o *Org) now() time.Time { return o.cfg.Now().UTC() }
