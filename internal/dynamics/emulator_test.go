package dynamics

// Tests against the Dataverse emulator (internal/sandbox/dataverse), which is written from the
// same facts file but not from this client: where the two agree, both read the facts the same way.

import (
	"context"
	"errors"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/optout-sync/terraform-provider-outreach/internal/httpx"
	"github.com/optout-sync/terraform-provider-outreach/internal/sandbox/dataverse"
)

// emulator is one emulated org over TLS.
type emulator struct {
	org *dataverse.Org
	srv *httptest.Server
}

func newEmulator(t *testing.T) *emulator {
	t.Helper()
	org := dataverse.NewOrg(dataverse.Config{})
	srv := httptest.NewTLSServer(org.Handler())
	t.Cleanup(srv.Close)
	org.SetBaseURL(srv.URL)
	return &emulator{org: org, srv: srv}
}

// client returns a client with the static token and a recorded sleep.
func (e *emulator) client(t *testing.T) (*Client, *sleeps) {
	t.Helper()
	s := &sleeps{}
	c, err := New(Config{
		URL:         e.srv.URL,
		HTTPClient:  e.srv.Client(),
		StaticToken: dataverse.DefaultStaticToken,
		Policy:      httpx.Policy{MaxRetries: 5, Sleep: s.sleep},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c, s
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

var salesOptOut = BooleanAttributeDefinition{
	SchemaName:  "new_SalesOptOut",
	DisplayName: "Sales opt-out",
	Description: "Set when the person opted out of sales outreach in Outreach.",
	TrueLabel:   "Opted out",
	FalseLabel:  "Not opted out",
}

func TestEmulatorSeededOptOutColumns(t *testing.T) {
	e := newEmulator(t)
	c, _ := e.client(t)
	ctx := ctxT(t)

	if id, err := c.WhoAmI(ctx); err != nil || id == "" {
		t.Fatalf("WhoAmI = %q, %v", id, err)
	}
	ent, err := c.GetEntity(ctx, "contact")
	if err != nil {
		t.Fatal(err)
	}
	if ent.LogicalName != "contact" || ent.EntitySetName != "contacts" || ent.MetadataID == "" || !ent.IsCustomizable || ent.DisplayName == "" {
		t.Errorf("contact = %+v", ent)
	}
	attrs, err := c.ListAttributes(ctx, "lead")
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]Attribute{}
	for _, a := range attrs {
		byName[a.LogicalName] = a
	}
	for _, n := range []string{"donotemail", "donotphone", "donotbulkemail", "followemail"} {
		a, ok := byName[n]
		if !ok || a.AttributeType != "Boolean" || a.IsCustom || a.EntityLogicalName != "lead" {
			t.Errorf("lead.%s = %+v (present %v)", n, a, ok)
		}
	}
	b, err := c.GetBooleanAttribute(ctx, "contact", "donotemail", false)
	if err != nil {
		t.Fatal(err)
	}
	if b.DisplayName != "Do not allow Emails" || b.TrueLabel != "Do Not Allow" || b.FalseLabel != "Allow" || b.DefaultValue || b.RequiredLevel != "None" {
		t.Errorf("contact.donotemail = %+v", b)
	}
	f, err := c.GetBooleanAttribute(ctx, "contact", "followemail", false)
	if err != nil || !f.DefaultValue {
		t.Errorf("contact.followemail default = %v, %v; want true", f != nil && f.DefaultValue, err)
	}
}

func TestEmulatorBooleanColumnLifecycle(t *testing.T) {
	e := newEmulator(t)
	c, _ := e.client(t)
	ctx := ctxT(t)

	id, err := c.CreateBooleanAttribute(ctx, "contact", salesOptOut, "OptOutSync")
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if !guidPattern.MatchString(id) {
		t.Errorf("MetadataId = %q", id)
	}

	b, err := c.GetBooleanAttribute(ctx, "contact", "new_salesoptout", true)
	if err != nil {
		t.Fatalf("read after create: %v", err)
	}
	if b.MetadataID != id || b.SchemaName != "new_SalesOptOut" || b.LogicalName != "new_salesoptout" || !b.IsCustom || b.IsManaged ||
		b.DisplayName != salesOptOut.DisplayName || b.Description != salesOptOut.Description ||
		b.TrueLabel != "Opted out" || b.FalseLabel != "Not opted out" || b.DefaultValue || b.RequiredLevel != "None" {
		t.Errorf("after create: %+v", b)
	}

	err = c.UpdateBooleanAttribute(ctx, "contact", "new_salesoptout", BooleanAttributeUpdate{
		DisplayName: "Sales opt-out (Outreach)", Description: "Synced from Outreach", DefaultValue: true, RequiredLevel: RequiredLevelRecommended,
	}, "OptOutSync")
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	if err := c.UpdateOptionLabel(ctx, "contact", "new_salesoptout", 1, Label{Text: "Do not contact"}, "OptOutSync"); err != nil {
		t.Fatalf("true label: %v", err)
	}
	if err := c.UpdateOptionLabel(ctx, "contact", "new_salesoptout", 0, Label{Text: "May contact"}, "OptOutSync"); err != nil {
		t.Fatalf("false label: %v", err)
	}
	if got := e.org.Stats().Unpublished; got != 1 {
		t.Errorf("unpublished tables before publish = %d, want 1", got)
	}
	if err := c.PublishEntity(ctx, "contact"); err != nil {
		t.Fatalf("publish: %v", err)
	}
	if got := e.org.Stats().Unpublished; got != 0 {
		t.Errorf("unpublished tables after publish = %d", got)
	}

	b, err = c.GetBooleanAttribute(ctx, "contact", "new_salesoptout", true)
	if err != nil {
		t.Fatal(err)
	}
	if b.DisplayName != "Sales opt-out (Outreach)" || b.Description != "Synced from Outreach" || !b.DefaultValue ||
		b.RequiredLevel != RequiredLevelRecommended || b.TrueLabel != "Do not contact" || b.FalseLabel != "May contact" || b.MetadataID != id {
		t.Errorf("after update: %+v", b)
	}
	if len(b.DisplayNameLabels) != 1 || b.DisplayNameLabels[0] != (Label{Text: "Sales opt-out (Outreach)", LanguageCode: 1033}) {
		t.Errorf("display labels = %+v", b.DisplayNameLabels)
	}
	a, err := c.GetAttribute(ctx, "contact", "new_salesoptout")
	if err != nil || a.AttributeType != "Boolean" || a.MetadataID != id || !a.IsValidForUpdate {
		t.Errorf("GetAttribute = %+v, %v", a, err)
	}

	if err := c.DeleteAttribute(ctx, "contact", "new_salesoptout"); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := c.GetBooleanAttribute(ctx, "contact", "new_salesoptout", true); !IsNotFound(err) {
		t.Errorf("read after delete: err = %v, want not found", err)
	}
	if err := c.DeleteAttribute(ctx, "contact", "new_salesoptout"); !IsNotFound(err) {
		t.Errorf("second delete: err = %v, want not found", err)
	}
}

// TestEmulatorLabelsInAnotherLanguage: a label written in 1036 is merged beside the 1033 one
// (MSCRM.MergeLabels), and a client whose language is 1036 reads it.
func TestEmulatorLabelsInAnotherLanguage(t *testing.T) {
	e := newEmulator(t)
	c, _ := e.client(t)
	ctx := ctxT(t)
	if _, err := c.CreateBooleanAttribute(ctx, "lead", salesOptOut, "OptOutSync"); err != nil {
		t.Fatal(err)
	}
	if err := c.UpdateBooleanAttribute(ctx, "lead", "new_salesoptout", BooleanAttributeUpdate{DisplayName: "Désinscription", LanguageCode: 1036}, ""); err != nil {
		t.Fatal(err)
	}
	b, err := c.GetBooleanAttribute(ctx, "lead", "new_salesoptout", true)
	if err != nil {
		t.Fatal(err)
	}
	if b.DisplayName != salesOptOut.DisplayName || len(b.DisplayNameLabels) != 2 {
		t.Errorf("1033 label = %q, labels %+v", b.DisplayName, b.DisplayNameLabels)
	}
	fr, err := New(Config{URL: e.srv.URL, HTTPClient: e.srv.Client(), StaticToken: dataverse.DefaultStaticToken, LanguageCode: 1036})
	if err != nil {
		t.Fatal(err)
	}
	if b, err := fr.GetBooleanAttribute(ctx, "lead", "new_salesoptout", true); err != nil || b.DisplayName != "Désinscription" || b.TrueLabel != "" {
		t.Errorf("1036 view = %+v, %v", b, err)
	}
}

func TestEmulatorAddSolutionComponent(t *testing.T) {
	e := newEmulator(t)
	c, _ := e.client(t)
	ctx := ctxT(t)
	id, err := c.CreateBooleanAttribute(ctx, "lead", salesOptOut, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AddSolutionComponent(ctx, "OptOutSync", id, ComponentTypeAttribute); err != nil {
		t.Fatalf("add: %v", err)
	}
	if err := c.AddSolutionComponent(ctx, "OptOutSync", id, ComponentTypeAttribute); err != nil {
		t.Errorf("adding again: %v", err)
	}
	if err := c.AddSolutionComponent(ctx, "NoSuchSolution", id, ComponentTypeAttribute); !IsSolutionNotFound(err) || IsNotFound(err) {
		t.Errorf("unknown solution: err = %v, want solution not found (not a missing column)", err)
	}
}

func TestEmulatorDuplicateSchemaName(t *testing.T) {
	e := newEmulator(t)
	c, _ := e.client(t)
	ctx := ctxT(t)
	if _, err := c.CreateBooleanAttribute(ctx, "contact", salesOptOut, "OptOutSync"); err != nil {
		t.Fatal(err)
	}
	dup := salesOptOut
	dup.SchemaName = "new_salesOPTOUT" // same logical name, other casing
	_, err := c.CreateBooleanAttribute(ctx, "contact", dup, "OptOutSync")
	if !IsDuplicate(err) {
		t.Fatalf("err = %v, want a duplicate", err)
	}
	if IsCustomizationLock(err) || IsNotFound(err) {
		t.Errorf("duplicate also classified as lock/not found: %v", err)
	}
}

func TestEmulatorPublisherPrefix(t *testing.T) {
	e := newEmulator(t)
	c, _ := e.client(t)
	ctx := ctxT(t)
	noPrefix := salesOptOut
	noPrefix.SchemaName = "SalesOptOut"
	_, err := c.CreateBooleanAttribute(ctx, "contact", noPrefix, "OptOutSync")
	if err == nil || !strings.Contains(err.Error(), "has no publisher prefix") || !strings.Contains(err.Error(), "new_SalesOptOut") {
		t.Fatalf("no prefix: err = %v", err)
	}
	if e.org.Stats().MetadataWrites != 0 {
		t.Error("a column without prefix reached the server")
	}

	// A prefix that is not the solution publisher's is for the server to refuse.
	wrong := salesOptOut
	wrong.SchemaName = "abc_SalesOptOut"
	_, err = c.CreateBooleanAttribute(ctx, "contact", wrong, "OptOutSync")
	de, ok := AsError(err)
	if !ok || de.StatusCode != 400 || !strings.Contains(strings.ToLower(de.Message), "prefix") {
		t.Fatalf("wrong prefix: err = %v, want a 400 naming the prefix", err)
	}
	if IsDuplicate(err) || IsCustomizationLock(err) || IsNotFound(err) {
		t.Errorf("prefix error misclassified: %v", err)
	}
}

func TestEmulatorUnknownTableAndColumn(t *testing.T) {
	e := newEmulator(t)
	c, _ := e.client(t)
	ctx := ctxT(t)
	if _, err := c.GetEntity(ctx, "new_nosuchtable"); !IsNotFound(err) {
		t.Errorf("GetEntity: %v", err)
	}
	if _, err := c.ListAttributes(ctx, "new_nosuchtable"); !IsNotFound(err) {
		t.Errorf("ListAttributes: %v", err)
	}
	if _, err := c.GetAttribute(ctx, "contact", "new_nosuchcolumn"); !IsNotFound(err) {
		t.Errorf("GetAttribute: %v", err)
	}
	if _, err := c.GetBooleanAttribute(ctx, "new_nosuchtable", "donotemail", true); !IsNotFound(err) {
		t.Errorf("GetBooleanAttribute: %v", err)
	}
	_, err := c.CreateBooleanAttribute(ctx, "new_nosuchtable", salesOptOut, "OptOutSync")
	if !IsNotFound(err) {
		t.Errorf("create on unknown table: %v", err)
	}
	var de *Error
	if !errors.As(err, &de) || de.RequestID == "" {
		t.Errorf("no request id in %v", err)
	}
}

func TestEmulatorDeleteBlockedByDependencies(t *testing.T) {
	e := newEmulator(t)
	c, _ := e.client(t)
	ctx := ctxT(t)
	if _, err := c.CreateBooleanAttribute(ctx, "contact", salesOptOut, "OptOutSync"); err != nil {
		t.Fatal(err)
	}
	if err := e.org.AddDependencies("contact", "new_salesoptout", 3); err != nil {
		t.Fatal(err)
	}
	err := c.DeleteAttribute(ctx, "contact", "new_salesoptout")
	if !IsInUse(err) || !strings.Contains(err.Error(), "3") {
		t.Fatalf("err = %v, want in use by 3", err)
	}
	if IsNotFound(err) || IsCustomizationLock(err) {
		t.Errorf("in-use error misclassified: %v", err)
	}
	if err := e.org.AddDependencies("contact", "new_salesoptout", -3); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteAttribute(ctx, "contact", "new_salesoptout"); err != nil {
		t.Fatalf("delete once free: %v", err)
	}
}

func TestEmulatorSystemColumnCannotBeDeleted(t *testing.T) {
	e := newEmulator(t)
	c, _ := e.client(t)
	err := c.DeleteAttribute(ctxT(t), "contact", "donotemail")
	if err == nil || IsNotFound(err) {
		t.Fatalf("err = %v, want a refusal", err)
	}
}

func TestEmulatorCustomizationLockIsRetried(t *testing.T) {
	for _, status := range []int{429, 400} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			e := newEmulator(t)
			c, s := e.client(t)
			e.org.SetFaults(dataverse.Faults{Lock: 2, LockStatus: status})
			id, err := c.CreateBooleanAttribute(ctxT(t), "contact", salesOptOut, "OptOutSync")
			if err != nil || id == "" {
				t.Fatalf("create = %q, %v", id, err)
			}
			st := e.org.Stats()
			if st.LockFaults != 2 || st.MetadataWrites != 1 {
				t.Errorf("lock faults fired %d, writes %d; want 2 and 1", st.LockFaults, st.MetadataWrites)
			}
			d := s.all()
			if len(d) != 2 {
				t.Fatalf("sleeps = %v, want 2", d)
			}
			for _, x := range d {
				if x < DefaultLockBackoff {
					t.Errorf("lock wait %v < %v", x, DefaultLockBackoff)
				}
			}
		})
	}
}

func TestEmulatorLockOutlastingRetriesIsReported(t *testing.T) {
	e := newEmulator(t)
	c, _ := e.client(t)
	e.org.SetFaults(dataverse.Faults{Lock: 100, LockStatus: 503})
	// Without a deadline, max_retries bounds the lock waits (with one, the deadline does:
	// TestLockWaitLastsUntilTheDeadline).
	err := c.PublishEntity(context.Background(), "contact")
	if !IsCustomizationLock(err) {
		t.Fatalf("err = %v, want a customization lock", err)
	}
	if got := e.org.Stats().LockFaults; got != 6 {
		t.Errorf("attempts = %d, want 1 + MaxRetries(5)", got)
	}
}

func TestEmulatorThrottleHonoursRetryAfter(t *testing.T) {
	e := newEmulator(t)
	c, s := e.client(t)
	e.org.SetFaults(dataverse.Faults{Throttle: 1, RetryAfter: "3"})
	if _, err := c.GetEntity(ctxT(t), "lead"); err != nil {
		t.Fatal(err)
	}
	if d := s.all(); len(d) != 1 || d[0] != 3*time.Second {
		t.Errorf("sleeps = %v, want [3s]", d)
	}
	if got := e.org.Stats().Throttled; got != 1 {
		t.Errorf("throttled = %d", got)
	}
}

// TestEmulatorReadAfterCreateSurvivesCacheLag: the emulator hides a new column from the next two
// reads even with Consistency: Strong; the read right after create must still succeed.
func TestEmulatorReadAfterCreateSurvivesCacheLag(t *testing.T) {
	e := newEmulator(t)
	c, _ := e.client(t)
	ctx := ctxT(t)
	e.org.SetFaults(dataverse.Faults{NotFoundAfterCreate: 2})
	id, err := c.CreateBooleanAttribute(ctx, "lead", salesOptOut, "OptOutSync")
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.GetBooleanAttribute(ctx, "lead", "new_salesoptout", true)
	if err != nil || b.MetadataID != id {
		t.Fatalf("read after create = %+v, %v", b, err)
	}
	if got := e.org.Stats().NotFoundFaults; got != 2 {
		t.Errorf("404 faults fired = %d, want 2", got)
	}
}

// TestEmulatorClientSecretCredential gets a token from the emulator's Entra ID over TLS through
// azidentity and uses it for metadata calls.
func TestEmulatorClientSecretCredential(t *testing.T) {
	e := newEmulator(t)
	cred, method, err := NewCredential(CredentialConfig{
		TenantID:      dataverse.DefaultTenantID,
		ClientID:      dataverse.DefaultClientID,
		ClientSecret:  dataverse.DefaultClientSecret,
		AuthorityHost: e.srv.URL + "/",
		HTTPClient:    e.srv.Client(),
	})
	if err != nil || method != CredentialClientSecret {
		t.Fatalf("NewCredential = %q, %v", method, err)
	}
	c, err := New(Config{URL: e.srv.URL, HTTPClient: e.srv.Client(), Credential: cred})
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t)
	if id, err := c.WhoAmI(ctx); err != nil || id == "" {
		t.Fatalf("WhoAmI = %q, %v", id, err)
	}
	b, err := c.GetBooleanAttribute(ctx, "contact", "donotemail", false)
	if err != nil || b.LogicalName != "donotemail" {
		t.Fatalf("GetBooleanAttribute = %+v, %v", b, err)
	}
	if got := e.org.Stats().TokensIssued; got != 1 {
		t.Errorf("tokens issued = %d, want 1 (azidentity caches)", got)
	}
}

func TestEmulatorWrongSecret(t *testing.T) {
	e := newEmulator(t)
	const wrong = "not-the-sandbox-secret"
	cred, _, err := NewCredential(CredentialConfig{
		TenantID: dataverse.DefaultTenantID, ClientID: dataverse.DefaultClientID, ClientSecret: wrong,
		AuthorityHost: e.srv.URL + "/", HTTPClient: e.srv.Client(),
	})
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(Config{URL: e.srv.URL, HTTPClient: e.srv.Client(), Credential: cred})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.WhoAmI(ctxT(t))
	checkRefusedSecret(t, err, wrong)
}

func TestEmulatorWrongStaticToken(t *testing.T) {
	e := newEmulator(t)
	c, err := New(Config{URL: e.srv.URL, HTTPClient: e.srv.Client(), StaticToken: "not-a-token"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.WhoAmI(ctxT(t))
	de, ok := AsError(err)
	if !ok || de.StatusCode != 401 || strings.Contains(err.Error(), "not-a-token") {
		t.Fatalf("err = %v, want a 401 without the token", err)
	}
}

func TestEmulatorGetSolution(t *testing.T) {
	c, _ := newEmulator(t).client(t)
	ctx := ctxT(t)
	s, err := c.GetSolution(ctx, "OptOutSync")
	if err != nil {
		t.Fatal(err)
	}
	if s.UniqueName != "OptOutSync" || s.IsManaged || s.PublisherPrefix != "new" || s.ID == "" {
		t.Fatalf("solution = %+v, want unmanaged OptOutSync with publisher prefix new", s)
	}
	if _, err := c.GetSolution(ctx, "NoSuchSolution"); !IsNotFound(err) {
		t.Fatalf("unknown solution: err = %v, want IsNotFound", err)
	}
	if _, err := c.GetSolution(ctx, "bad name'"); err == nil {
		t.Fatal("a unique name with a quote must be refused before any request")
	}
}

// TestEmulatorCreateThenDeleteRemovesColumn: Dataverse resolves a DELETE's column name through
// the metadata cache, which lags a create by up to 30 s unless the request asks for strong
// consistency; a delete right after the create must still delete the column.
func TestEmulatorCreateThenDeleteRemovesColumn(t *testing.T) {
	e := newEmulator(t)
	c, _ := e.client(t)
	ctx := ctxT(t)
	if _, err := c.CreateBooleanAttribute(ctx, "contact", salesOptOut, "OptOutSync"); err != nil {
		t.Fatal(err)
	}
	err := c.DeleteAttribute(ctx, "contact", "new_salesoptout")
	if err != nil && !IsNotFound(err) {
		t.Fatal(err)
	}
	cols, _ := e.org.Columns("contact")
	for _, col := range cols {
		if col.LogicalName == "new_salesoptout" {
			t.Fatalf("the column is still there after DeleteAttribute returned %v", err)
		}
	}
}

// TestEmulatorUnknownSolutionIsNotAMissingTable: Dataverse answers a write naming an unknown
// solution with the same "does not exist" code as a missing table or column; the client must say
// which one is missing, or the provider tells the user the table is gone.
func TestEmulatorUnknownSolutionIsNotAMissingTable(t *testing.T) {
	e := newEmulator(t)
	c, _ := e.client(t)
	ctx := ctxT(t)
	_, err := c.CreateBooleanAttribute(ctx, "contact", salesOptOut, "NoSuchSolution")
	if !IsSolutionNotFound(err) || IsNotFound(err) {
		t.Fatalf("create: IsSolutionNotFound=%v IsNotFound=%v for %v", IsSolutionNotFound(err), IsNotFound(err), err)
	}
	if !strings.Contains(err.Error(), "NoSuchSolution") {
		t.Errorf("the error does not name the solution: %v", err)
	}
	if _, err := c.CreateBooleanAttribute(ctx, "contact", salesOptOut, "OptOutSync"); err != nil {
		t.Fatal(err)
	}
	err = c.UpdateOptionLabel(ctx, "contact", "new_salesoptout", 1, Label{Text: "Out"}, "NoSuchSolution")
	if !IsSolutionNotFound(err) || IsNotFound(err) {
		t.Fatalf("update label: IsSolutionNotFound=%v IsNotFound=%v for %v", IsSolutionNotFound(err), IsNotFound(err), err)
	}
	if _, err := c.CreateBooleanAttribute(ctx, "nosuchtable", salesOptOut, "OptOutSync"); !IsNotFound(err) || IsSolutionNotFound(err) {
		t.Errorf("missing table: IsNotFound=%v IsSolutionNotFound=%v for %v", IsNotFound(err), IsSolutionNotFound(err), err)
	}
}
