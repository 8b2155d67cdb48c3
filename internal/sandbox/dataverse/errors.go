package dataverse

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// Dataverse error codes used by the emulator. The body shape is always
// {"error":{"code":"0x...","message":"..."}} (facts 2.4). Where Microsoft documents a code for a
// situation it is used; where it does not, the choice is marked "Assumption" at the point of use.
const (
	// codeObjectDoesNotExist is ObjectDoesNotExist, the generic "not found" of the platform. The
	// Web API answers it with 404; the emulator uses it for unknown tables, columns, solutions
	// and components.
	codeObjectDoesNotExist = "0x80040217"
	// codeResourceNotFound is what the OData layer answers for an unknown URL segment (404).
	codeResourceNotFound = "0x8006088a"
	// codeODataError is what the OData layer answers for malformed keys, query options and
	// unsupported methods (field captures show it for both 400 and 404).
	codeODataError = "0x80060888"
	// codePropertyNotFound is the code of Microsoft's own sample of a $select on an unknown
	// property ("Could not find a property named 'Name' ..."), 400.
	codePropertyNotFound = "0x0"
	// codePayload is the "Error identified in Payload provided by the user" family (400): JSON
	// that does not deserialize into the declared type.
	codePayload = "0x80048d19"
	// codeInvalidArgument is InvalidArgument, used for business-rule validation of parameters.
	codeInvalidArgument = "0x80040203"
	// codePrefix is returned for a SchemaName without a valid publisher prefix.
	// Assumption: no Microsoft doc gives this code. Dataverse-skills calls 0x8004431a "Publisher
	// prefix mismatch" while other projects map the same code to "value out of range" (facts 3.8).
	codePrefix = "0x8004431a"
	// codeDuplicateAttribute is DuplicateAttributeSchemaName. Assumption: which code a duplicate
	// SchemaName really returns is undocumented (facts 3.8 lists four candidates); this one is the
	// most specific, and the message always contains "already exists" so message matching works.
	codeDuplicateAttribute = "0x80047013"
	// codeCustomizationLock is the code field reports show with "Cannot start another
	// [EntityCustomization] ..." (facts 3.8).
	codeCustomizationLock = "0x80071151"
	// codeInUse is CannotDeleteInUseComponent.
	codeInUse = "0x8004F01F"
	// codeProtected is InvalidDeleteOnProtectedComponent ("Deletion cannot be performed when
	// {0} is managed"); used when deleting a system (managed, non-custom) column.
	codeProtected = "0x8004F013"
	// codeThrottled is the "Number of requests" service-protection limit (facts 2.5).
	codeThrottled = "0x80072322"
)

const (
	lockMessage     = "Cannot start another [EntityCustomization] because there is a previous [EntityCustomization] running at this moment. Use Solution History for more details."
	throttleMessage = "Number of requests exceeded the limit of 6000 over time window of 300 seconds."
)

// apiError is a Dataverse error response. Handlers return it instead of writing it so that the
// dispatcher adds the common headers in one place.
type apiError struct {
	status  int
	code    string
	message string
	header  http.Header // extra response headers (Retry-After, WWW-Authenticate)
	noBody  bool        // 401 without a body, as Dataverse answers a request without a token
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.code, e.message) }

func newError(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, message: fmt.Sprintf(format, args...)}
}

func notFoundSegment(seg string) *apiError {
	return newError(http.StatusNotFound, codeResourceNotFound, "Resource not found for the segment '%s'.", seg)
}

func entityNotFound(name string) *apiError {
	// Microsoft does not document the message; this combines the two wordings seen in the field
	// so that clients matching either one work.
	return newError(http.StatusNotFound, codeObjectDoesNotExist,
		"Could not find entity with name '%s'. The entity with a name = '%s' with namemapping = 'Logical' was not found in the MetadataCache.", name, name)
}

func entityIDNotFound(id string) *apiError {
	return newError(http.StatusNotFound, codeObjectDoesNotExist,
		"Could not find entity with MetadataId = '%s'. The entity was not found in the MetadataCache.", id)
}

func attributeNotFound(entity, key string) *apiError {
	return newError(http.StatusNotFound, codeObjectDoesNotExist,
		"Could not find an attribute with specified name: '%s' on entity: '%s'.", key, entity)
}

func propertyNotFound(prop, typ string) *apiError {
	return newError(http.StatusBadRequest, codePropertyNotFound,
		"Could not find a property named '%s' on type 'Microsoft.Dynamics.CRM.%s'.", prop, typ)
}

func payloadError(entity, detail string) *apiError {
	return newError(http.StatusBadRequest, codePayload,
		"Error identified in Payload provided by the user for Entity :'%s', For more information on this error please follow this help link https://go.microsoft.com/fwlink/?linkid=2195293  ----> InnerException : Microsoft.OData.ODataException: %s", entity, detail)
}

func invalidArgument(format string, args ...any) *apiError {
	return newError(http.StatusBadRequest, codeInvalidArgument, format, args...)
}

func methodNotAllowed(method string) *apiError {
	// The message is ASP.NET Web API's, as Dataverse returns it for PATCH on a resource that does
	// not support it (MicrosoftDocs/powerapps-docs#3792). Microsoft leaves the code empty there;
	// the emulator uses the OData-layer code so that every error body carries a 0x code.
	return newError(http.StatusMethodNotAllowed, codeODataError,
		"The requested resource does not support http method '%s'.", method)
}

// noHTTPResource is Microsoft's documented answer to a wrong method on a function or action
// (POST WhoAmI): 404 with an empty code (facts 2.4).
func noHTTPResource(url string) *apiError {
	return newError(http.StatusNotFound, "", "No HTTP resource was found that matches the request URI '%s'.", url)
}

// response is a successful Dataverse answer.
type response struct {
	status int
	header http.Header
	body   any // marshalled as JSON when non-nil
}

func noContent() *response { return &response{status: http.StatusNoContent, header: http.Header{}} }

func okJSON(body any) *response {
	return &response{status: http.StatusOK, header: http.Header{}, body: body}
}

const (
	// contentTypeOData is what Dataverse sends with a successful JSON body.
	contentTypeOData = "application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8"
	contentTypeJSON  = "application/json; charset=utf-8"
)

func writeResponse(w http.ResponseWriter, resp *response) {
	h := w.Header()
	for k, vs := range resp.header {
		h[k] = vs
	}
	if resp.body == nil {
		w.WriteHeader(resp.status)
		return
	}
	b, err := json.Marshal(resp.body)
	if err != nil {
		writeAPIError(w, newError(http.StatusInternalServerError, "0x80040216", "An unexpected error occurred: %v", err))
		return
	}
	h.Set("Content-Type", contentTypeOData)
	w.WriteHeader(resp.status)
	_, _ = w.Write(b)
}

func writeAPIError(w http.ResponseWriter, e *apiError) {
	h := w.Header()
	for k, vs := range e.header {
		h[k] = vs
	}
	if e.noBody {
		w.WriteHeader(e.status)
		return
	}
	b, _ := json.Marshal(map[string]any{"error": map[string]string{"code": e.code, "message": e.message}})
	h.Set("Content-Type", contentTypeJSON)
	w.WriteHeader(e.status)
	_, _ = w.Write(b)
}
