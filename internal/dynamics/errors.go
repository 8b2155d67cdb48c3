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
	// codeNameNotUnique is sent with "The schema name ... is not unique" / "An object with the
	// same name already exists", also for a name still held by a column deleted moments ago.
	codeNameNotUnique              = 0x80044363
	codeCannotDeleteInUseComponent = 0x8004F01F
	codeSolutionConcurrency        = 0x80071151 // another solution install/removal is running
	codeConcurrentOperationFailure = 0x80071154
	codeDuplicatedJobIDConcurrency = 0x80071155
	codeCustomizationLockFirst     = 0x8004F061 // CustomizationLockEx_BothUnknown ...
	codeCustomizationLockLast      = 0x8004F067 // ... CustomizationLockEx_BlockingUnknown
	codeUnexpected                 = 0x80040216 // transient metadata cache error after a change
	codeMetadataCacheNotReady      = 0x80060891
	codeObjectDoesNotExist         = 0x80040217
	codeInvalidEntity              = 0x8005E00C
)

// errorClass is what an error means to a caller. Each error has exactly one.
type errorClass int

const (
	classOther errorClass = iota
	classNotFound
	classDuplicate
	classLock
	classInUse
)

// codeClasses maps the codes this package knows to their class. The codes are the same in every
// language; the messages are translated into the org's base language.
var codeClasses = map[uint32]errorClass{
	codeObjectDoesNotExist:             classNotFound,
	codeInvalidEntity:                  classNotFound,
	codeDuplicateAttributeSchemaName:   classDuplicate,
	codeDuplicateAttributePhysicalName: classDuplicate,
	codeDuplicateName:                  classDuplicate,
	codeDuplicateRecord:                classDuplicate,
	codeNameNotUnique:                  classDuplicate,
	codeSolutionConcurrency:            classLock,
	codeConcurrentOperationFailure:     classLock,
	codeDuplicatedJobIDConcurrency:     classLock,
	codeCannotDeleteInUseComponent:     classInUse,
}

// class decides what e means: the code first, which does not depend on the org's language; then
// the status (a 404 is absence); and the English wording field reports show only when neither
// says anything, as a last resort for answers without a code.
func (e *Error) class() errorClass {
	c := codeValue(e.Code)
	if k, ok := codeClasses[c]; ok {
		return k
	}
	if c >= codeCustomizationLockFirst && c <= codeCustomizationLockLast {
		return classLock
	}
	if e.StatusCode == http.StatusNotFound {
		return classNotFound
	}
	switch m := e.Message; {
	case containsFold(m, "CustomizationLockException"), containsFold(m, "running at this moment"),
		containsFold(m, "Cannot start the requested operation"), containsFold(m, "Cannot start another ["):
		return classLock
	case containsFold(m, "cannot be deleted because it is referenced by"):
		return classInUse
	case containsFold(m, "was not found in the MetadataCache"):
		return classNotFound
	case containsFold(m, "already exists"), containsFold(m, "is not unique"):
		return classDuplicate
	}
	return classOther
}

// classOf returns the class of the *Error in err's chain; classOther when there is none. An
// unknown solution is its own case (IsSolutionNotFound), never a missing table or column.
func classOf(err error) errorClass {
	var snf *SolutionNotFoundError
	if errors.As(err, &snf) {
		return classOther
	}
	e, ok := AsError(err)
	if !ok {
		return classOther
	}
	return e.class()
}

// IsNotFound reports a table or column that does not exist: a 404, or one of the "does not exist"
// codes that some org versions send with a 400. Metadata reads can lag a create by up to 30 s, so
// callers deciding "gone" should have read with Consistency: Strong.
func IsNotFound(err error) bool { return classOf(err) == classNotFound }

// IsCustomizationLock reports that another customization (import, publish, column change) held the
// org's lock. Dataverse sends it with 400, 429 or 503 depending on the path, so only the code and
// the message are looked at.
func IsCustomizationLock(err error) bool { return classOf(err) == classLock }

func isLock(e *Error) bool { return e.class() == classLock }

// IsDuplicate reports a create refused because the name is taken. Which code Dataverse sends for a
// duplicate column schema name is not documented, so every code seen in the field counts.
func IsDuplicate(err error) bool { return classOf(err) == classDuplicate }

// IsInUse reports a delete refused because other components (forms, views, workflows) reference
// the column.
func IsInUse(err error) bool { return classOf(err) == classInUse }

// SolutionNotFoundError is a write refused because the solution it names does not exist. Dataverse
// answers it with the same "does not exist" code as a missing table or column, so the client
// tells them apart by reading the solution.
type SolutionNotFoundError struct {
	// Solution is the unique name the write carried.
	Solution string
	// Err is the service's answer to the write.
	Err error
}

func (e *SolutionNotFoundError) Error() string {
	return fmt.Sprintf("dynamics: the solution %q does not exist in this organization: %v", e.Solution, e.Err)
}

func (e *SolutionNotFoundError) Unwrap() error { return e.Err }

// IsSolutionNotFound reports a write refused because its solution does not exist.
func IsSolutionNotFound(err error) bool {
	var snf *SolutionNotFoundError
	return errors.As(err, &snf)
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
		// The code is quoted in Error() too, so it is redacted like the message: a proxy may echo
		// anything there.
		e.Code = httpx.Redact(rawCode(body.Error.Code))
		e.Message = httpx.Redact(strings.TrimSpace(body.Error.Message))
	} else {
		e.Message = excerpt(resp.Body)
	}
	if e.Message == "" && e.Code == "" {
		e.Message = http.StatusText(resp.StatusCode)
	}
	if e.Message == "" && e.Code == "" {
		// A status without a standard text (a gateway's 598, say) still needs words.
		e.Message = "the service sent no error details"
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

// classifyWrite hands customization locks back, whatever their status, to sendWaitingOutLocks,
// which waits for them as long as the caller's deadline allows rather than max_retries times.
func classifyWrite(r *httpx.Response) httpx.Decision {
	if r.StatusCode < 400 {
		return httpx.Default
	}
	if isLock(decodeError("", r)) {
		return httpx.Stop
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
		return httpx.Stop
	}
	switch codeValue(e.Code) {
	case codeUnexpected, codeMetadataCacheNotReady:
		return httpx.Retry
	}
	return httpx.Default
}
