package httpx

import "regexp"

// secretPattern finds credential-looking key/value pairs in form bodies, query strings, JSON and
// header dumps.
var secretPattern = regexp.MustCompile(`(?i)("?(?:access_token|refresh_token|client_secret|client_assertion|password|accesstoken|assertion|code)"?\s*[:=]\s*"?)([^"&\s,}]+)`)

var bearerPattern = regexp.MustCompile(`(?i)(bearer\s+)[A-Za-z0-9\-._~+/=]+`)

// Redact replaces credentials in s with "[REDACTED]". It is applied to every string the policy
// logs or puts into an error, as a second line of defence: the policy never logs headers or bodies
// in the first place.
func Redact(s string) string {
	s = secretPattern.ReplaceAllString(s, `${1}[REDACTED]`)
	return bearerPattern.ReplaceAllString(s, `${1}[REDACTED]`)
}
