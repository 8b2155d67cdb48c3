package httpx

import "net/http"

// refuseRedirects returns a copy of hc that hands a 3xx back to the caller instead of following
// it. Neither Outreach nor Dataverse redirects API calls, so a redirect is a misconfigured proxy
// or a hostile answer: following it would resend the request (a write's body, and on the same
// host the Authorization header) to a place nobody configured. The caller's client is copied,
// not changed, because it may be shared with code that wants its own redirect rules.
func refuseRedirects(hc *http.Client) *http.Client {
	c := *hc
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}
