package dynamics

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
)

// Solution is what the provider needs to know of an unmanaged solution before it creates a column
// in it: whether it exists, whether it is managed, and its publisher's customization prefix, which
// every schema name created in it must carry.
type Solution struct {
	ID              string
	UniqueName      string
	IsManaged       bool
	PublisherPrefix string
}

var solutionName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// GetSolution reads a solution by its unique name. An unknown solution gives an error for which
// IsNotFound is true.
func (c *Client) GetSolution(ctx context.Context, uniqueName string) (*Solution, error) {
	if !solutionName.MatchString(uniqueName) {
		return nil, fmt.Errorf("solution unique name %q is not valid: it has letters, digits and underscores only", uniqueName)
	}
	query := "$select=solutionid,uniquename,ismanaged&$filter=" +
		url.PathEscape("uniquename eq '"+uniqueName+"'") +
		"&$expand=publisherid($select=customizationprefix)"
	resp, err := c.do(ctx, call{method: http.MethodGet, path: "solutions", query: query})
	if err != nil {
		return nil, err
	}
	var out struct {
		Value []struct {
			SolutionID string `json:"solutionid"`
			UniqueName string `json:"uniquename"`
			IsManaged  bool   `json:"ismanaged"`
			Publisher  *struct {
				Prefix string `json:"customizationprefix"`
			} `json:"publisherid"`
		} `json:"value"`
	}
	if err := decodeBody(resp.Body, "solution "+uniqueName, &out); err != nil {
		return nil, err
	}
	if len(out.Value) == 0 {
		return nil, &Error{StatusCode: http.StatusNotFound, Op: "GET solutions", Message: fmt.Sprintf("no solution with unique name %q", uniqueName)}
	}
	v := out.Value[0]
	s := &Solution{ID: v.SolutionID, UniqueName: v.UniqueName, IsManaged: v.IsManaged}
	if v.Publisher != nil {
		s.PublisherPrefix = v.Publisher.Prefix
	}
	return s, nil
}
