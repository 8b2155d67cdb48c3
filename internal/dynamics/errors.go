package dynamics

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/optout-sync/terraform-provider-outreach/internal/httpx"
)

// Error is a non-2xx answer from the Web API.
type Error struct {
	// StatusCode is the HTTP status.
	StatusCode int
	// Code is the Dataverse error code as sent (e.g. "0x80047013"); often empty.
	Code string
	// Message is the server's message, or an excerpt of a body that was not the documented JSON.
	Message string
	// RequestID is the server's request id (REQ_ID or x-ms-service-request-id), for support cases.
	RequestID string
	// Op is the request, e.g. "GET EntityDefinitions(LogicalName='contact')".
	Op string
}

// Error never includes a token: only the status, code, message and the request path.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("dynamics: ")
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	fmt.Fprintf(&b, "HTTP %d", e.StatusCode)
	if e.Code != "" {
		b.WriteString(" (" + e.Code + ")")
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	switch e.StatusCode {
	case http.StatusUnauthorized:
		b.WriteString("; the access token was refused: check the token or the Entra ID credential and the org URL")
	case http.StatusForbidden:
		b.WriteString("; the caller lacks a privilege: the application user needs a security role with System Customizer rights in this org")
	}
	if e.RequestID != "" {
		b.WriteString(" [request id " + e.RequestID + "]")
	}
	return b.String()
}

// AsError returns the *Error in err's chain.
func AsError(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// Dataverse error codes this package branches on. The service sends them as hex strings.
const (
	codeDuplicateAttributeSchemaName   = 0x80047013
	codeDuplicateAttributePhysicalName = 0x80060304
	codeDuplicateName                  = 0x80047010
	codeDuplicateRecord                = 0x80040237
	codeCannotDeleteInUseComponent     = 0x8004F01F
	codeSolutionConcurrency            = 0x80071151 // another solution install/removal is running
	codeConcurrentOperationFailure     = 0x80071154
	codeDuplicatedJobIDConcurrency     = 0x80071155
	codeCustomizationLockFirst         = 0x8004F061 // CustomizationLockEx_BothUnknown ...
	codeCustomizationLockLast          = 0x8004F067 // ... CustomizationLockEx_BlockingUnknown
	codeUnexpected                     = 0x80040216 // transient metadata cache error after a change
	codeMetadataCacheNotReady          = 0x80060891
	codeObjectDoesNotExist             = 0x80040217
	codeInvalidEntity                  = 0x8005E00C
)

// IsNotFound reports a table or column that does not exist: a 404, or one of the "does not exist"
// codes that some org versions send with a 400. Metadata reads can lag a create by up to 30 s, so
// callers deciding "gone" should have read with Consistency: Strong.
func IsNotFound(err error) bool {
	e, ok := AsError(err)
	if !ok {
		return false
	}
	if e.StatusCode == http.StatusNotFound {
		return true
	}
	switch codeValue(e.Code) {
	case codeObjectDoesNotExist, codeInvalidEntity:
		return true
	}
	return containsFold(e.Message, "was not found in the MetadataCache")
}

// IsCustomizationLock reports that another customization (import, publish, column change) held the
// org's lock. Dataverse sends it with 400, 429 or 503 depending on the path, so only the code and
// the message are looked at.
func IsCustomizationLock(err error) bool {
	e, ok := AsError(err)
	return ok && isLock(e)
}

func isLock(e *Error) bool {
	switch c := codeValue(e.Code); {
	case c == codeSolutionConcurrency, c == codeConcurrentOperationFailure, c == codeDuplicatedJobIDConcurrency:
		return true
	case c >= codeCustomizationLockFirst && c <= codeCustomizationLockLast:
		return true
	}
	return containsFold(e.Message, "CustomizationLockException") ||
		containsFold(e.Message, "running at this moment") ||
		containsFold(e.Message, "Cannot start the requested operation") ||
		containsFold(e.Message, "Cannot start another [")
}

// IsDuplicate reports a create refused because the name is taken. Which code Dataverse sends for a
// duplicate column schema name is not documented, so every code seen in the field counts, and so
// does the message.
func IsDuplicate(err error) bool {
	e, ok := AsError(err)
	if !ok {
		return false
	}
	switch codeValue(e.Code) {
	case codeDuplicateAttributeSchemaName, codeDuplicateAttributePhysicalName, codeDuplicateName, codeDuplicateRecord:
		return true
	}
	return containsFold(e.Message, "already exists")
}

// IsInUse reports a delete refused because other components (forms, views, workflows) reference
// the column.
func IsInUse(err error) bool {
	e, ok := AsError(err)
	if !ok {
		return false
	}
	return codeValue(e.Code) == codeCannotDeleteInUseComponent ||
		containsFold(e.Message, "cannot be deleted because it is referenced by")
}

// codeValue reads a Dataverse error code, sent as hex ("0x8004F061") or, by some layers, as a signed
// decimal ("-2147160991"). It returns 0 when the code is empty or unreadable.
func codeValue(code string) uint32 {
	code = strings.TrimSpace(code)
	if code == "" {
		return 0
	}
	if h, ok := strings.CutPrefix(strings.ToLower(code), "0x"); ok {
		v, err := strconv.ParseUint(h, 16, 32)
		if err != nil {
			return 0
		}
		return uint32(v)
	}
	v, err := strconv.ParseInt(code, 10, 64)
	if err != nil || v < -1<<31 || v > 1<<32-1 {
		return 0
	}
	return uint32(v)
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

// maxExcerpt bounds how much of an unexpected body goes into an error: enough to recognise an HTML
// error page or a proxy message, not a whole document.
const maxExcerpt = 300

// decodeError turns a non-2xx response into an *Error. The documented body is
// {"error":{"code","message"}}; an empty or non-JSON body (a gateway page, a bare 401) keeps the
// status and a text excerpt.
func decodeError(op string, resp *httpx.Response) *Error {
	e := &Error{StatusCode: resp.StatusCode, Op: op, RequestID: requestID(resp.Header)}
	var body struct {
		Error *struct {
			Code    json.RawMessage `json:"code"`
			Message string          `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(resp.Body, &body); err == nil && body.Error != nil {
		e.Code = rawCode(body.Error.Code)
		e.Message = httpx.Redact(strings.TrimSpace(body.Error.Message))
	} else {
		e.Message = excerpt(resp.Body)
	}
	if e.Message == "" && e.Code == "" {
		e.Message = http.StatusText(resp.StatusCode)
	}
	return e
}

// rawCode accepts the code as a JSON string or number.
func rawCode(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s)
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

func excerpt(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > maxExcerpt {
		cut := maxExcerpt
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return httpx.Redact(s)
}

func requestID(h http.Header) string {
	for _, k := range []string{"REQ_ID", "x-ms-service-request-id", "x-ms-request-id"} {
		if v := h.Get(k); v != "" {
			return v
		}
	}
	return ""
}

// classifyWrite retries customization locks, whatever their status: the request was refused before
// any change, so even a create may be sent again.
func classifyWrite(r *httpx.Response) httpx.Decision {
	if r.StatusCode < 400 {
		return httpx.Default
	}
	if isLock(decodeError("", r)) {
		return httpx.Retry
	}
	return httpx.Default
}

// classifyRead also retries the transient metadata-cache errors seen right after a change; a read
// is safe to repeat.
func classifyRead(r *httpx.Response) httpx.Decision {
	if r.StatusCode < 400 {
		return httpx.Default
	}
	e := decodeError("", r)
	if isLock(e) {
		return httpx.Retry
	}
	switch codeValue(e.Code) {
	case codeUnexpected, codeMetadataCacheNotReady:
		return httpx.Retry
	}
	return httpx.Default
}
