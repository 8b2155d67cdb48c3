package dataverse

import (
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// This file checks the OData headers of a Web API request. Microsoft asks every request to send
// Accept: application/json, OData-MaxVersion: 4.0 and OData-Version: 4.0, and a body with
// Content-Type: application/json (facts 2.2). The headers are optional (Microsoft's own Terraform
// provider sends none of the OData ones), so only a header that is present and wrong is refused.

// checkODataHeaders returns the error the OData layer answers for a bad header, nil when the
// headers are acceptable.
func checkODataHeaders(r *http.Request, hasBody bool) *apiError {
	if v := strings.TrimSpace(r.Header.Get("OData-Version")); v != "" && v != "4.0" && v != "4.01" {
		// Assumption: the wording of ODataLib (Microsoft.OData.Core), which the Web API runs on.
		return newError(http.StatusBadRequest, codeODataError,
			"The value '%s' of the OData-Version HTTP header is invalid. Only '4.0' and '4.01' are supported as values for the OData-Version header.", v)
	}
	if v := strings.TrimSpace(r.Header.Get("OData-MaxVersion")); v != "" {
		if f, err := strconv.ParseFloat(v, 64); err != nil || f < 4.0 {
			// The service only speaks OData 4.0, so a client that cannot read it is refused
			// rather than sent a version it did not ask for. Assumption: ODataLib's wording.
			return newError(http.StatusBadRequest, codeODataError,
				"The value '%s' of the OData-MaxVersion HTTP header is invalid or lower than the OData version 4.0 this service uses.", v)
		}
	}
	if v := r.Header.Get("Accept"); strings.TrimSpace(v) != "" && !acceptsJSON(v) {
		// OData 4.0 part 1, 8.2.1: a service that does not support the requested format answers
		// 406 Not Acceptable. The Web API serves JSON only.
		return newError(http.StatusNotAcceptable, codeODataError,
			"The requested media type '%s' is not supported. This service answers application/json only.", v)
	}
	if hasBody {
		ct := r.Header.Get("Content-Type")
		mt, _, err := mime.ParseMediaType(ct)
		if strings.TrimSpace(ct) == "" {
			// ASP.NET Web API reads a body without a media type as application/octet-stream.
			ct, mt, err = "application/octet-stream", "application/octet-stream", nil
		}
		if err != nil || mt != "application/json" {
			// ASP.NET Web API's answer when no formatter reads the body's media type.
			return newError(http.StatusUnsupportedMediaType, "",
				"The request entity's media type '%s' is not supported for this resource.", ct)
		}
	}
	return nil
}

// acceptsJSON reports whether an Accept header admits application/json.
func acceptsJSON(accept string) bool {
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		if q, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(q, 64); err == nil && f == 0 {
				continue
			}
		}
		switch mt {
		case "application/json", "application/*", "*/*":
			return true
		}
	}
	return false
}
