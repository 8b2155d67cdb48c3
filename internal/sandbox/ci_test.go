package sandbox

import (
	"net/http"
	"testing"
	"time"
)

// The clock-step fault moves the sandbox clock after each Web API request, and not after
// token requests, so a test can play a long apply in fast-forward.
func TestDynamicsClockStepFault(t *testing.T) {
	s := startSandbox(t, Options{})
	s.SetFaults(Faults{DynamicsClockStepSeconds: 90})
	hc := dataverseClient(t, s)
	get := func(path string) {
		req, _ := http.NewRequest(http.MethodGet, s.DynamicsURL()+path, nil)
		req.Header.Set("Authorization", "Bearer "+DynamicsAccessToken)
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
	}
	before := s.Now()
	get("/api/data/v9.2/WhoAmI")
	get("/api/data/v9.2/WhoAmI")
	get("/" + AzureTenantID + "/v2.0/.well-known/openid-configuration")
	if moved := s.Now().Sub(before); moved < 180*time.Second || moved > 181*time.Second {
		t.Fatalf("clock moved %v, want 3m0s", moved)
	}
}
