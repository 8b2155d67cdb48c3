package httpx

import (
	"errors"
	"net/url"
	"regexp"
	"strings"
)

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

// RedactURL masks the user information of a URL, or of a string meant to be one that may not
// parse, so that it can be quoted in an error: "https://user:pw@host/x" → "https://[REDACTED]@host/x".
// Everything before the last '@' ahead of the query is masked, since a password may itself contain
// '/' or '@'; an over-masked path in an error message costs nothing.
func RedactURL(raw string) string {
	prefix, rest := "", raw
	if i := strings.Index(raw, "://"); i >= 0 {
		prefix, rest = raw[:i+3], raw[i+3:]
	}
	end := strings.IndexAny(rest, "?#")
	if end < 0 {
		end = len(rest)
	}
	if at := strings.LastIndex(rest[:end], "@"); at >= 0 {
		return prefix + "[REDACTED]@" + rest[at+1:]
	}
	return raw
}

// URLParseReason is the reason url.Parse gave without the URL it quotes, which may carry a
// password.
func URLParseReason(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
