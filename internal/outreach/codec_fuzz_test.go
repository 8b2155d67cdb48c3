package outreach

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The JSON:API decoder reads whatever Outreach, a proxy or a hostile server sends. The fuzz
// targets check for any body: no panic; a decoded resource renders back to a document that
// decodes to the same value (nothing is invented or lost in a round trip); the comparisons the
// lost-create reconcile relies on are reflexive; and the lenient integer reader agrees with
// strconv on canonical integers.

// renderCondition is the document a server following the contract would send for s.
func renderCondition(t *testing.T, s SyncCondition) []byte {
	t.Helper()
	ts := func(v time.Time) string {
		if v.IsZero() {
			return ""
		}
		return v.Format(time.RFC3339Nano)
	}
	var value any
	if s.Value != nil {
		value = s.Value
	}
	b, err := json.Marshal(map[string]any{"data": map[string]any{
		"type": typeSyncCondition, "id": s.ID,
		"attributes": map[string]any{
			"crmObject": s.CRMObject, "trigger": s.Trigger, "field": s.Field, "operator": s.Operator,
			"value": value, "values": s.Values, "createdAt": ts(s.CreatedAt), "updatedAt": ts(s.UpdatedAt),
		},
		"relationships": map[string]any{"plugin": map[string]any{"data": map[string]any{"type": typePlugin, "id": s.PluginID}}},
	}})
	if err != nil {
		t.Fatalf("rendering %+v: %v", s, err)
	}
	return b
}

func compactJSON(raw json.RawMessage) string {
	if raw == nil {
		return "<absent>"
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return "<invalid " + string(raw) + ">"
	}
	return b.String()
}

func sameDecoded(a, b SyncCondition) bool {
	if a.ID != b.ID || a.PluginID != b.PluginID || a.CRMObject != b.CRMObject || a.Trigger != b.Trigger ||
		a.Field != b.Field || a.Operator != b.Operator || compactJSON(a.Value) != compactJSON(b.Value) ||
		(a.Values == nil) != (b.Values == nil) || len(a.Values) != len(b.Values) ||
		!a.CreatedAt.Equal(b.CreatedAt) || !a.UpdatedAt.Equal(b.UpdatedAt) {
		return false
	}
	for i := range a.Values {
		if compactJSON(a.Values[i]) != compactJSON(b.Values[i]) {
			return false
		}
	}
	return true
}

func FuzzDecodeSyncConditionDocument(f *testing.F) {
	for _, s := range []string{
		`{"data":{"type":"pluginSyncCondition","id":9,"attributes":{"crmObject":"lead","trigger":"polling","field":"donotemail","operator":"equals","value":false,"createdAt":"2026-01-02T03:04:05.123Z","updatedAt":"2026-01-02T03:04:05Z"},"relationships":{"plugin":{"data":{"type":"plugin","id":1}}}}}`,
		`{"data":{"type":"pluginSyncCondition","id":"12","attributes":{"operator":"in","value":null,"values":[1,2.50,"x",null]},"relationships":{"plugin":{"data":null},"owner":{"data":[{"type":"user","id":"abc"}]}}}}`,
		`{"data":{"id":3.0,"attributes":{"value":1e999999999,"values":[1e999999999]}}}`,
		`{"data":{"type":"pluginSyncCondition","id":1,"attributes":null,"links":{"self":"x"},"extra":[1]}}`,
		`{"data":{"type":"pluginFieldMapping","id":1}}`,
		`{"data":{"type":"pluginSyncCondition","id":1,"relationships":{"plugin":{"data":{"id":"x"}}}}}`,
		`{"data":{"type":"pluginSyncCondition","id":-9223372036854775808,"attributes":{"createdAt":"2026-01-02T03:04:05+23:59"}}}`,
		`{"data":[]}`, `{"data":null}`, `{}`, `[]`, `null`, ``, `{"data":{"id":"9223372036854775808"}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := decodeSingle(http.MethodGet, "https://api.outreach.io/api/v2/pluginSyncConditions/1", body, typeSyncCondition)
		if err != nil {
			return
		}
		if r.Type != "" && r.Type != typeSyncCondition {
			t.Fatalf("accepted a %q resource", r.Type)
		}
		s, err := decodeSyncCondition(r)
		if err != nil {
			return
		}
		if !sameCondition(s, s) {
			t.Fatalf("a condition is not the same as itself: %+v (value %s, values %s)", s, s.Value, s.Values)
		}
		again := renderCondition(t, s)
		r2, err := decodeSingle(http.MethodGet, "https://api.outreach.io/api/v2/pluginSyncConditions/1", again, typeSyncCondition)
		if err != nil {
			t.Fatalf("the rendering of %+v does not decode: %v\n%s", s, err, again)
		}
		s2, err := decodeSyncCondition(r2)
		if err != nil || !sameDecoded(s, s2) {
			t.Fatalf("round trip changed the condition:\n%+v\n%+v (%v)\n%s", s, s2, err, again)
		}
	})
}

func FuzzDecodeCollectionPage(f *testing.F) {
	for _, s := range []string{
		`{"data":[{"type":"pluginField","id":1,"attributes":{"name":"donotemail","side":"crm","type":"boolean","writable":true}}],"links":{"next":"https://api.outreach.io/api/v2/pluginFields?page[after]=x"}}`,
		`{"data":[{"type":"pluginField","id":"2","relationships":{"plugin":{"data":{"type":"plugin","id":"1"}}}}],"links":{"next":null}}`,
		`{"data":[{"type":"plugin","id":1}]}`, `{"data":[],"links":{}}`, `{"data":{}}`, `{"links":{"next":5}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var doc collectionDocument
		if json.Unmarshal(body, &doc) != nil {
			return
		}
		for i := range doc.Data {
			if checkType(&doc.Data[i], typePluginField) != nil {
				return
			}
		}
		fs, err := decodeAll(doc.Data, decodeField)
		if err != nil {
			return
		}
		if len(fs) != len(doc.Data) {
			t.Fatalf("%d resources decoded to %d fields", len(doc.Data), len(fs))
		}
		for i, fd := range fs {
			if fd.PluginID != doc.Data[i].pluginID() {
				t.Fatalf("field %d: plugin %d, relationship says %d", i, fd.PluginID, doc.Data[i].pluginID())
			}
		}
	})
}

func FuzzParseFlexInt(f *testing.F) {
	for _, s := range []string{`42`, `"42"`, `" 7 "`, `3.0`, `3.5`, `null`, `""`, `-0`, `1e18`, `9.3e18`, `"abc"`, `9223372036854775807`,
		`-9223372036854775808`, `9223372036854775808`, `"\u0034\u0032"`, `true`, `[]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := parseFlexInt(b)
		if err != nil {
			return
		}
		// Whatever was accepted renders as a JSON integer that reads back the same.
		if again, err := parseFlexInt([]byte(strconv.FormatInt(n, 10))); err != nil || again != n {
			t.Fatalf("%q read as %d, which reads back as %d (%v)", b, n, again, err)
		}
		// A canonical integer literal reads exactly as strconv does.
		s := strings.TrimSpace(string(b))
		if v, err := strconv.ParseInt(s, 10, 64); err == nil && v != n {
			t.Fatalf("%q read as %d, strconv says %d", b, n, v)
		}
	})
}

func FuzzDecodeAPIError(f *testing.F) {
	for _, s := range []string{
		`{"errors":[{"id":"validationError","title":"Validation Error","detail":"crmField is unknown","source":{"pointer":"/data/attributes/crmField"}}]}`,
		`{"errors":[{"id":"x","details":"spelled details","source":{"parameter":"page[size]"}}]}`,
		`Invalid access token`, `<html>Bearer abc.def.ghi</html>`, `{"errors":[]}`, `{"errors":null}`, ``,
	} {
		f.Add(503, []byte(s))
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		e := decodeAPIError(http.MethodPost, "/api/v2/pluginFieldMappings", status, body)
		msg := e.Error()
		if !strings.Contains(msg, "Outreach API returned "+strconv.Itoa(status)) || !strings.Contains(msg, "[POST /api/v2/pluginFieldMappings]") {
			t.Fatalf("error %q lacks the status or the request", msg)
		}
		if len(e.Errors) > 0 && (e.ID != e.Errors[0].ID || e.Pointer != e.Errors[0].Pointer) {
			t.Fatalf("first error %+v not mirrored in %+v", e.Errors[0], e)
		}
		if len(e.Errors) == 0 && len(e.Body) > maxErrorBody+len("…")*4 {
			t.Fatalf("body kept at %d bytes", len(e.Body))
		}
	})
}
