package dynamics

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/optout-sync/terraform-provider-outreach/internal/httpx"
)

func TestNewValidatesURL(t *testing.T) {
	cases := []struct {
		url, want, err string
	}{
		{url: "https://Contoso.crm.dynamics.com", want: "https://contoso.crm.dynamics.com"},
		{url: "https://contoso.crm.dynamics.com/main.aspx?x=1", want: "https://contoso.crm.dynamics.com"},
		{url: "https://contoso.crm.dynamics.com/", want: "https://contoso.crm.dynamics.com"},
		{url: "http://127.0.0.1:8788/", want: "http://127.0.0.1:8788"},
		{url: "http://localhost:1", want: "http://localhost:1"},
		{url: "http://[::1]:9/", want: "http://[::1]:9"},
		{url: "http://contoso.crm.dynamics.com", err: "must use https"},
		{url: "http://10.0.0.1", err: "must use https"},
		{url: "ftp://contoso", err: "scheme must be https"},
		{url: "contoso.crm.dynamics.com", err: "invalid Dataverse URL"},
		{url: "", err: "empty"},
		{url: "https://user:pw@contoso.crm.dynamics.com", err: "must not carry credentials"},
		// userinfo in URLs that fail other checks first must not be echoed either
		{url: "user:pw@contoso.crm.dynamics.com", err: "invalid Dataverse URL"},
		{url: "https://user:pw@contoso crm.dynamics.com", err: "invalid Dataverse URL"},
		{url: "https://user:pw@contoso.crm.dynamics.com/%zz", err: "invalid Dataverse URL"},
	}
	for _, tc := range cases {
		t.Run(tc.url, func(t *testing.T) {
			c, err := New(Config{URL: tc.url, StaticToken: "x"})
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("New(%q) error = %v, want containing %q", tc.url, err, tc.err)
				}
				if strings.Contains(err.Error(), "pw@") {
					t.Errorf("error repeats the URL's password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("New(%q): %v", tc.url, err)
			}
			if c.URL() != tc.want {
				t.Errorf("URL() = %q, want %q", c.URL(), tc.want)
			}
		})
	}
}

func TestNewNeedsACredential(t *testing.T) {
	if _, err := New(Config{URL: "https://contoso.crm.dynamics.com"}); err == nil || !strings.Contains(err.Error(), "no credential") {
		t.Fatalf("err = %v", err)
	}
}

func TestScope(t *testing.T) {
	got, err := Scope("https://Contoso.crm4.dynamics.com/api/data/v9.2/")
	if err != nil || got != "https://contoso.crm4.dynamics.com/.default" {
		t.Fatalf("Scope = %q, %v", got, err)
	}
	if _, err := Scope("http://contoso.crm.dynamics.com"); err == nil {
		t.Fatal("Scope accepted plain http for a remote host")
	}
}

func TestEveryRequestCarriesODataHeaders(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *recorded) {
		writeJSON(w, 200, map[string]any{"UserId": "u-1", "BusinessUnitId": "b", "OrganizationId": "o"})
	})
	c, _ := newTestClient(t, f)
	id, err := c.WhoAmI(context.Background())
	if err != nil || id != "u-1" {
		t.Fatalf("WhoAmI = %q, %v", id, err)
	}
	r := f.requests()[0]
	if r.Method != "GET" || r.Path != "WhoAmI" {
		t.Errorf("request = %s %s", r.Method, r.Path)
	}
	want := map[string]string{
		"Accept":           "application/json",
		"OData-MaxVersion": "4.0",
		"OData-Version":    "4.0",
		"If-None-Match":    "null",
		"Authorization":    "Bearer " + testToken,
		"User-Agent":       "dynamics-test",
	}
	for k, v := range want {
		if got := r.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	for _, k := range []string{"Consistency", "Content-Type", "MSCRM.MergeLabels", "MSCRM.SolutionUniqueName"} {
		if v := r.Header.Get(k); v != "" {
			t.Errorf("unexpected %s: %q on a plain read", k, v)
		}
	}
}

func TestStrongReadSendsConsistencyHeader(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *recorded) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(booleanDefinition))
	})
	c, _ := newTestClient(t, f)
	if _, err := c.GetBooleanAttribute(context.Background(), "contact", "new_salesoptout", false); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetBooleanAttribute(context.Background(), "contact", "new_salesoptout", true); err != nil {
		t.Fatal(err)
	}
	reqs := f.requests()
	if got := reqs[0].Header.Get("Consistency"); got != "" {
		t.Errorf("weak read sent Consistency %q", got)
	}
	if got := reqs[1].Header.Get("Consistency"); got != "Strong" {
		t.Errorf("strong read sent Consistency %q", got)
	}
	if reqs[1].Path != "EntityDefinitions(LogicalName='contact')/Attributes(LogicalName='new_salesoptout')/Microsoft.Dynamics.CRM.BooleanAttributeMetadata" {
		t.Errorf("path = %s", reqs[1].Path)
	}
	if reqs[1].Query != "$expand=OptionSet" {
		t.Errorf("query = %s", reqs[1].Query)
	}
}

func TestReadsAfterAWriteAreStrong(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *recorded) {
		if r.Method == "POST" {
			w.WriteHeader(204)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(booleanDefinition))
	})
	c, _ := newTestClient(t, f)
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	c.now = func() time.Time { return now }
	if err := c.PublishEntity(context.Background(), "contact"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetAttribute(context.Background(), "contact", "new_salesoptout"); err != nil {
		t.Fatal(err)
	}
	now = now.Add(strongWindow + time.Second)
	if _, err := c.GetAttribute(context.Background(), "contact", "new_salesoptout"); err != nil {
		t.Fatal(err)
	}
	reqs := f.requests()
	if got := reqs[1].Header.Get("Consistency"); got != "Strong" {
		t.Errorf("read right after a write: Consistency = %q, want Strong", got)
	}
	if got := reqs[2].Header.Get("Consistency"); got != "" {
		t.Errorf("read long after a write: Consistency = %q, want none", got)
	}
}

func TestBooleanAttributeLabelsFollowTheClientLanguage(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *recorded) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(booleanDefinition))
	})
	for _, tc := range []struct {
		lang                   int
		display, true_, false_ string
	}{
		{0, "Sales opt-out", "Opted out", "Subscribed"},
		{1036, "Désinscription", "Oui", ""},
		{1031, "", "", ""},
	} {
		c, err := New(Config{URL: f.srv.URL, HTTPClient: f.srv.Client(), StaticToken: "t", LanguageCode: tc.lang})
		if err != nil {
			t.Fatal(err)
		}
		b, err := c.GetBooleanAttribute(context.Background(), "contact", "new_salesoptout", false)
		if err != nil {
			t.Fatal(err)
		}
		if b.DisplayName != tc.display || b.TrueLabel != tc.true_ || b.FalseLabel != tc.false_ {
			t.Errorf("lang %d: display %q true %q false %q", tc.lang, b.DisplayName, b.TrueLabel, b.FalseLabel)
		}
		if len(b.DisplayNameLabels) != 2 || len(b.TrueLabels) != 2 || len(b.FalseLabels) != 1 {
			t.Errorf("lang %d: label slices %v %v %v", tc.lang, b.DisplayNameLabels, b.TrueLabels, b.FalseLabels)
		}
		if b.MetadataID != "73f33b3d-112a-ed11-9db1-00224804f8e2" || b.SchemaName != "new_SalesOptOut" || !b.IsCustom ||
			b.RequiredLevel != "None" || b.DefaultValue || b.AttributeType != "Boolean" || b.EntityLogicalName != "contact" {
			t.Errorf("attribute = %+v", b.Attribute)
		}
	}
}

func TestInvalidNamesAreRefusedBeforeAnyRequest(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *recorded) { w.WriteHeader(204) })
	c, _ := newTestClient(t, f)
	ctx := context.Background()
	for _, err := range []error{
		func() error { _, err := c.GetEntity(ctx, "contact')/x"); return err }(),
		func() error { _, err := c.GetAttribute(ctx, "contact", "a b"); return err }(),
		c.DeleteAttribute(ctx, "", "x"),
		c.PublishEntity(ctx, "<x>"),
	} {
		if err == nil || !strings.Contains(err.Error(), "logical name") {
			t.Errorf("err = %v, want a logical-name error", err)
		}
	}
	if n := len(f.requests()); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

func TestLockIsRetriedWithTheLockBackoff(t *testing.T) {
	for _, status := range []int{400, 429, 503} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			var n atomic.Int32
			f := newFake(t, func(w http.ResponseWriter, r *recorded) {
				if n.Add(1) <= 2 {
					writeErr(w, status, "0x80071151", "Cannot start another [EntityCustomization] because there is a previous [EntityCustomization] running at this moment.")
					return
				}
				w.WriteHeader(204)
			})
			c, s := newTestClient(t, f)
			if err := c.PublishEntity(context.Background(), "contact"); err != nil {
				t.Fatalf("PublishEntity: %v", err)
			}
			if got := n.Load(); got != 3 {
				t.Errorf("attempts = %d, want 3", got)
			}
			d := s.all()
			if len(d) != 2 {
				t.Fatalf("sleeps = %v, want 2", d)
			}
			for _, x := range d {
				if x < DefaultLockBackoff {
					t.Errorf("lock wait %v shorter than %v", x, DefaultLockBackoff)
				}
			}
		})
	}
}

func TestLockOnCreateIsRetried(t *testing.T) {
	var n atomic.Int32
	f := newFake(t, func(w http.ResponseWriter, r *recorded) {
		if n.Add(1) == 1 {
			writeErr(w, 400, "0x8004F063", "Cannot start another [Publish] because there is a previous [Import] running at this moment.")
			return
		}
		w.Header().Set("OData-EntityId", "https://org/api/data/v9.2/EntityDefinitions(LogicalName='contact')/Attributes(11111111-2222-3333-4444-555555555555)")
		w.WriteHeader(204)
	})
	c, _ := newTestClient(t, f)
	id, err := c.CreateBooleanAttribute(context.Background(), "contact", BooleanAttributeDefinition{SchemaName: "new_X", DisplayName: "X"}, "")
	if err != nil || id != "11111111-2222-3333-4444-555555555555" {
		t.Fatalf("create = %q, %v", id, err)
	}
	if n.Load() != 2 {
		t.Errorf("attempts = %d", n.Load())
	}
}

func TestLockGivesUpAfterMaxRetries(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *recorded) {
		w.Header().Set("REQ_ID", "req-42")
		writeErr(w, 429, "0x80071151", "Cannot start another [EntityCustomization]")
	})
	c, s := newTestClient(t, f)
	err := c.DeleteAttribute(context.Background(), "contact", "new_x")
	if !IsCustomizationLock(err) {
		t.Fatalf("err = %v, want a customization lock", err)
	}
	if e, _ := AsError(err); e.RequestID != "req-42" || e.StatusCode != 429 {
		t.Errorf("error = %+v", e)
	}
	if got := len(f.requests()); got != 4 {
		t.Errorf("attempts = %d, want 1 + MaxRetries(3)", got)
	}
	if len(s.all()) != 3 {
		t.Errorf("sleeps = %v", s.all())
	}
}

func TestThrottleHonoursRetryAfter(t *testing.T) {
	var n atomic.Int32
	f := newFake(t, func(w http.ResponseWriter, r *recorded) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "3")
			writeErr(w, 429, "0x80072322", "Number of requests exceeded the limit of 6000 over time window of 300 seconds.")
			return
		}
		writeJSON(w, 200, map[string]any{"UserId": "u"})
	})
	c, s := newTestClient(t, f)
	if _, err := c.WhoAmI(context.Background()); err != nil {
		t.Fatal(err)
	}
	if d := s.all(); len(d) != 1 || d[0] != 3*time.Second {
		t.Errorf("sleeps = %v, want [3s]", d)
	}
}

func TestTransientCacheErrorIsRetriedOnReads(t *testing.T) {
	var n atomic.Int32
	f := newFake(t, func(w http.ResponseWriter, r *recorded) {
		if n.Add(1) == 1 {
			writeErr(w, 500, "0x80040216", "An unexpected error occurred.")
			return
		}
		writeJSON(w, 200, map[string]any{"MetadataId": "m", "LogicalName": "contact", "IsCustomizable": map[string]any{"Value": true}})
	})
	c, _ := newTestClient(t, f)
	e, err := c.GetEntity(context.Background(), "contact")
	if err != nil || e.MetadataID != "m" || !e.IsCustomizable {
		t.Fatalf("GetEntity = %+v, %v", e, err)
	}
}

func TestCallerClassifyStillApplies(t *testing.T) {
	var n atomic.Int32
	f := newFake(t, func(w http.ResponseWriter, r *recorded) {
		if n.Add(1) == 1 {
			writeErr(w, 409, "", "try again")
			return
		}
		writeJSON(w, 200, map[string]any{"UserId": "u"})
	})
	s := &sleeps{}
	c, err := New(Config{URL: f.srv.URL, HTTPClient: f.srv.Client(), StaticToken: "t", Policy: httpx.Policy{
		MaxRetries: 2, Sleep: s.sleep,
		Classify: func(r *httpx.Response) httpx.Decision {
			if r.StatusCode == 409 {
				return httpx.Retry
			}
			return httpx.Default
		},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.WhoAmI(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n.Load() != 2 {
		t.Errorf("attempts = %d", n.Load())
	}
}

// TestMetadataWritesAreSerializedPerOrg runs writes from two clients of the same org at once and
// checks that the server never had two in flight; a second org is not held up by the first.
func TestMetadataWritesAreSerializedPerOrg(t *testing.T) {
	var inFlight, maxInFlight atomic.Int32
	f := newFake(t, func(w http.ResponseWriter, r *recorded) {
		if r.Method == "GET" && strings.Contains(r.Path, "new_x") {
			// The check that follows a delete: the column is gone.
			writeErr(w, 404, "0x80040217", "Could not find an attribute")
			return
		}
		if r.Method == "GET" {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(booleanDefinition))
			return
		}
		n := inFlight.Add(1)
		for {
			m := maxInFlight.Load()
			if n <= m || maxInFlight.CompareAndSwap(m, n) {
				break
			}
		}
		time.Sleep(5 * time.Millisecond) // hold the request so that overlaps would show
		inFlight.Add(-1)
		w.WriteHeader(204)
	})
	c1, _ := newTestClient(t, f)
	c2, _ := newTestClient(t, f)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 10 {
		c := c1
		if i%2 == 1 {
			c = c2
		}
		wg.Add(4)
		go func() { defer wg.Done(); errs <- c.PublishEntity(ctx, "contact") }()
		go func() { defer wg.Done(); errs <- c.DeleteAttribute(ctx, "contact", "new_x") }()
		go func() {
			defer wg.Done()
			errs <- c.UpdateOptionLabel(ctx, "contact", "new_salesoptout", 1, Label{Text: "Yes"}, "")
		}()
		go func() {
			defer wg.Done()
			errs <- c.UpdateBooleanAttribute(ctx, "contact", "new_salesoptout", BooleanAttributeUpdate{DisplayName: "D"}, "")
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if m := maxInFlight.Load(); m != 1 {
		t.Errorf("max concurrent metadata writes = %d, want 1", m)
	}
}

func TestWaitingForTheWriteLockHonoursTheContext(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *recorded) { w.WriteHeader(204) })
	c, _ := newTestClient(t, f)
	unlock, err := c.lockWrites(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.PublishEntity(ctx, "contact"); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

// fakeCred is a TokenCredential that records the scopes asked for.
type fakeCred struct {
	mu     sync.Mutex
	scopes [][]string
	token  string
	err    error
}

func (f *fakeCred) GetToken(_ context.Context, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.scopes = append(f.scopes, o.Scopes)
	return azcore.AccessToken{Token: f.token, ExpiresOn: time.Now().Add(time.Hour)}, f.err
}

func TestCredentialTokenIsUsedWithTheOrgScope(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *recorded) { writeJSON(w, 200, map[string]any{"UserId": "u"}) })
	cred := &fakeCred{token: "from-credential"}
	c, err := New(Config{URL: f.srv.URL + "/", HTTPClient: f.srv.Client(), Credential: cred, StaticToken: "ignored"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.WhoAmI(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := f.requests()[0].Header.Get("Authorization"); got != "Bearer from-credential" {
		t.Errorf("Authorization = %q", got)
	}
	if len(cred.scopes) != 1 || len(cred.scopes[0]) != 1 || cred.scopes[0][0] != f.srv.URL+"/.default" {
		t.Errorf("scopes = %v", cred.scopes)
	}
}

func TestCredentialFailureIsRedacted(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *recorded) { t.Error("request sent without a token") })
	cred := &fakeCred{err: errors.New(`token endpoint said {"access_token":"leaked-token-1","error":"x"} client_secret=hunter2`)}
	c, err := New(Config{URL: f.srv.URL, HTTPClient: f.srv.Client(), Credential: cred})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.WhoAmI(context.Background())
	var te *TokenError
	if !errors.As(err, &te) {
		t.Fatalf("err = %v, want *TokenError", err)
	}
	for _, s := range []string{"leaked-token-1", "hunter2"} {
		if strings.Contains(err.Error(), s) {
			t.Errorf("error leaks %q: %v", s, err)
		}
	}
}

func TestTransportErrorIsTyped(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close() // nothing listens: every dial fails
	s := &sleeps{}
	c, err := New(Config{URL: "http://" + addr, StaticToken: testToken, Policy: httpx.Policy{MaxRetries: 1, Sleep: s.sleep}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.WhoAmI(context.Background())
	var te *TransportError
	if !errors.As(err, &te) {
		t.Fatalf("err = %v, want *TransportError", err)
	}
	if strings.Contains(err.Error(), testToken) {
		t.Errorf("error leaks the token: %v", err)
	}
}
