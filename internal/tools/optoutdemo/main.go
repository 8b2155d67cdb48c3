// Command optoutdemo is the runtime half of `make demo`: after the demo configuration (the Sales
// Opt Out column) is applied to the local sandbox, it prints the opt-out coverage Terraform read,
// then lets a person opt out in Outreach and checks, in Dataverse, that the plugin's next sync
// round set the Sales Opt Out column and left marketing's donotemail as it was. Every claim it
// prints is checked first; it exits 1 when one does not hold, so the demo fails.
//
// It talks to the sandbox over HTTP only (the Outreach API, the Dataverse Web API and the
// sandbox's admin API), with the variables the sandbox prints: OUTREACH_BASE_URL,
// OUTREACH_ACCESS_TOKEN, DYNAMICS_URL, DYNAMICS_ACCESS_TOKEN, and SSL_CERT_FILE for the
// sandbox's certificate. It is a Go program so that the demo needs nothing beyond Go and the
// terraform CLI on a fresh machine.
//
// Usage: terraform output -json optout_coverage > coverage.json
//
//	go run ./internal/tools/optoutdemo -coverage coverage.json -column new_salesoptout
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"time"
)

// coverage is one object of the demo's optout_coverage output.
type coverage struct {
	Configuration      string   `json:"configuration"`
	OutreachToDynamics bool     `json:"outreach_to_dynamics"`
	DynamicsToOutreach bool     `json:"dynamics_to_outreach"`
	DynamicsColumns    []string `json:"dynamics_columns"`
	Findings           []string `json:"findings"`
}

func main() {
	coverageFile := flag.String("coverage", "", "file with `terraform output -json optout_coverage`")
	column := flag.String("column", "new_salesoptout", "the Sales Opt Out column's logical name")
	flag.Parse()
	if err := run(*coverageFile, *column); err != nil {
		fmt.Fprintln(os.Stderr, "optoutdemo:", err)
		os.Exit(1)
	}
}

func run(coverageFile, column string) error {
	if err := showCoverage(coverageFile, column); err != nil {
		return err
	}
	s, err := newSandbox()
	if err != nil {
		return err
	}

	// A contact in Dynamics, connected to a prospect in Outreach as an earlier sync would have.
	var rec map[string]any
	if err := s.dynamics(http.MethodPost, "/contacts", map[string]any{"firstname": "Ada", "lastname": "Demo", "emailaddress1": "ada@example.com"}, &rec); err != nil {
		return fmt.Errorf("creating a Dynamics contact: %w", err)
	}
	contact, _ := rec["contactid"].(string)
	if contact == "" {
		return fmt.Errorf("the new Dynamics contact has no contactid: %v", rec)
	}
	var doc struct {
		Data struct {
			ID int64 `json:"id"`
		} `json:"data"`
	}
	if err := s.outreach(http.MethodPost, "/api/v2/prospects", map[string]any{"data": map[string]any{
		"type": "prospect", "attributes": map[string]any{"firstName": "Ada", "lastName": "Demo"},
		"meta": map[string]any{"dataConnections": []any{map[string]any{"type": "contact", "id": contact}}},
	}}, &doc); err != nil {
		return fmt.Errorf("creating the prospect: %w", err)
	}
	prospect := doc.Data.ID
	if _, err := s.sync(); err != nil {
		return err
	}
	before, err := s.contact(contact, column)
	if err != nil {
		return err
	}
	fmt.Printf("Dynamics contact %s (prospect %d in Outreach) before the opt-out: %s = %v, donotemail = %v\n",
		contact, prospect, column, before[column], before["donotemail"])

	// The person opts out in Outreach; the plugin's next round carries it to Dynamics.
	if err := s.outreach(http.MethodPatch, fmt.Sprintf("/api/v2/prospects/%d", prospect), map[string]any{"data": map[string]any{
		"type": "prospect", "id": prospect, "attributes": map[string]any{"optedOut": true},
	}}, nil); err != nil {
		return fmt.Errorf("opting the prospect out: %w", err)
	}
	fmt.Printf("Prospect %d opted out in Outreach (optedOut = true); one sync round (POST /_sandbox/sync):\n", prospect)
	rep, err := s.sync()
	if err != nil {
		return err
	}
	for _, a := range rep.Actions {
		if a.ProspectID == prospect {
			fmt.Printf("  %s %s %s %s: %s %s\n", a.Direction, a.Operation, a.Object, a.RecordID, a.Result, strings.Join(a.Fields, ", "))
		}
	}
	after, err := s.contact(contact, column)
	if err != nil {
		return err
	}
	if after[column] != true {
		return fmt.Errorf("after the sync round %s = %v in Dynamics, want true: the opt-out did not reach the Sales Opt Out column", column, after[column])
	}
	if after["donotemail"] != before["donotemail"] || after["donotbulkemail"] != before["donotbulkemail"] {
		return fmt.Errorf("after the sync round donotemail = %v, donotbulkemail = %v (before: %v, %v): the sales opt-out reached marketing's columns",
			after["donotemail"], after["donotbulkemail"], before["donotemail"], before["donotbulkemail"])
	}
	fmt.Printf("Dynamics contact %s after the round: %s = %v (the Sales Opt Out column was set), donotemail = %v and donotbulkemail = %v (marketing's columns stayed as they were)\n",
		contact, column, after[column], after["donotemail"], after["donotbulkemail"])
	return nil
}

// showCoverage prints the coverage Terraform read and checks that it is the sound Sales Opt Out
// configuration on every object.
func showCoverage(file, column string) error {
	raw, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var cov map[string]coverage
	if err := json.Unmarshal(raw, &cov); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	if len(cov) == 0 {
		return fmt.Errorf("%s: the coverage lists no object", file)
	}
	objects := make([]string, 0, len(cov))
	for o := range cov {
		objects = append(objects, o)
	}
	sort.Strings(objects)
	fmt.Println("Opt-out coverage of the demo configuration:")
	var problems []string
	for _, o := range objects {
		c := cov[o]
		fmt.Printf("  %-8s %s: outreach_to_dynamics = %v, dynamics_to_outreach = %v, carried by %s, %d finding(s)\n",
			o, c.Configuration, c.OutreachToDynamics, c.DynamicsToOutreach, strings.Join(c.DynamicsColumns, ", "), len(c.Findings))
		for _, f := range c.Findings {
			fmt.Println("    - " + f)
		}
		if c.Configuration != "sales_field" || !c.OutreachToDynamics || !c.DynamicsToOutreach || len(c.Findings) > 0 ||
			len(c.DynamicsColumns) != 1 || c.DynamicsColumns[0] != column {
			problems = append(problems, o)
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("the coverage of %s is not a sound sales_field through %s alone", strings.Join(problems, ", "), column)
	}
	return nil
}

// sandbox is the sandbox's three HTTP surfaces.
type sandbox struct {
	outreachURL, outreachToken, dynamicsURL, dynamicsToken string
	http                                                   *http.Client
}

func newSandbox() (*sandbox, error) {
	s := &sandbox{
		outreachURL: os.Getenv("OUTREACH_BASE_URL"), outreachToken: os.Getenv("OUTREACH_ACCESS_TOKEN"),
		dynamicsURL: strings.TrimRight(os.Getenv("DYNAMICS_URL"), "/"), dynamicsToken: os.Getenv("DYNAMICS_ACCESS_TOKEN"),
		http: &http.Client{Timeout: 30 * time.Second},
	}
	if s.outreachURL == "" || s.outreachToken == "" || s.dynamicsURL == "" || s.dynamicsToken == "" {
		return nil, fmt.Errorf("OUTREACH_BASE_URL, OUTREACH_ACCESS_TOKEN, DYNAMICS_URL and DYNAMICS_ACCESS_TOKEN must be set (the sandbox prints them)")
	}
	return s, nil
}

func (s *sandbox) outreach(method, path string, body, out any) error {
	return s.do(method, s.outreachURL+path, body, out, map[string]string{
		"Authorization": "Bearer " + s.outreachToken, "Content-Type": "application/vnd.api+json",
	})
}

func (s *sandbox) dynamics(method, path string, body, out any) error {
	return s.do(method, s.dynamicsURL+"/api/data/v9.2"+path, body, out, map[string]string{
		"Authorization": "Bearer " + s.dynamicsToken, "Content-Type": "application/json", "Prefer": "return=representation",
	})
}

// contact reads the opt-out columns of a Dynamics contact.
func (s *sandbox) contact(id, column string) (map[string]any, error) {
	var rec map[string]any
	if err := s.dynamics(http.MethodGet, fmt.Sprintf("/contacts(%s)?$select=%s,donotemail,donotbulkemail", id, column), nil, &rec); err != nil {
		return nil, fmt.Errorf("reading contact %s: %w", id, err)
	}
	return rec, nil
}

// syncReport is the part of a sync round's report the demo shows.
type syncReport struct {
	Round   int `json:"round"`
	Failed  int `json:"failed"`
	Actions []struct {
		Object     string   `json:"object"`
		Direction  string   `json:"direction"`
		Operation  string   `json:"operation"`
		Result     string   `json:"result"`
		RecordID   string   `json:"record_id"`
		ProspectID int64    `json:"prospect_id"`
		Fields     []string `json:"fields"`
	} `json:"actions"`
}

// sync runs one round of the plugin's runtime sync; a round in which something failed is an
// error.
func (s *sandbox) sync() (*syncReport, error) {
	var rep syncReport
	if err := s.do(http.MethodPost, s.outreachURL+"/_sandbox/sync", nil, &rep, nil); err != nil {
		return nil, fmt.Errorf("sync round: %w", err)
	}
	if rep.Failed > 0 {
		return nil, fmt.Errorf("sync round %d failed: %+v", rep.Round, rep.Actions)
	}
	return &rep, nil
}

func (s *sandbox) do(method, url string, body, out any, headers map[string]string) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return err
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := s.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %s: %s", method, url, resp.Status, bytes.TrimSpace(b))
	}
	if out == nil || len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	return json.Unmarshal(b, out)
}
