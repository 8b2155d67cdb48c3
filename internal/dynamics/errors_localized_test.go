package dynamics

import (
	"strings"
	"testing"
)

// TestErrorClassesDoNotDependOnTheMessageLanguage: an org whose base language is not English
// sends localized messages with the same codes, so each class must come from the code, with the
// English wording consulted only where there is no code this package knows.
func TestErrorClassesDoNotDependOnTheMessageLanguage(t *testing.T) {
	type preds struct{ notFound, lock, dup, inUse bool }
	cases := []struct {
		name            string
		status          int
		code            string
		english, german string
		want            preds
	}{
		{"missing column", 404, "0x80040217",
			"Could not find an attribute with specified name: 'new_x' on entity: 'contact'.",
			"Es wurde kein Attribut mit dem angegebenen Namen 'new_x' für die Entität 'contact' gefunden.", preds{notFound: true}},
		{"missing table 400", 400, "0x8005E00C", "Entity new_x cannot be found.", "Die Entität new_x wurde nicht gefunden.", preds{notFound: true}},
		{"duplicate schema name", 400, "0x80047013", "An attribute with the specified name new_X already exists.",
			"Ein Attribut mit dem angegebenen Namen new_X ist bereits vorhanden.", preds{dup: true}},
		{"name not unique", 400, "0x80044363", "The schema name new_X is not unique. An object with the same name already exists.",
			"Der Schemaname new_X ist nicht eindeutig. Ein Objekt mit demselben Namen ist bereits vorhanden.", preds{dup: true}},
		{"lock", 429, "0x80071151", "Cannot start another [EntityCustomization] because there is a previous [EntityCustomization] running at this moment.",
			"Ein weiterer Vorgang [EntityCustomization] kann nicht gestartet werden, da derzeit ein vorheriger Vorgang [EntityCustomization] ausgeführt wird.", preds{lock: true}},
		{"in use", 400, "0x8004F01F", "The Attribute(x) component cannot be deleted because it is referenced by 3 other components.",
			"Die Komponente Attribute(x) kann nicht gelöscht werden, da 3 andere Komponenten auf sie verweisen.", preds{inUse: true}},
		// The code decides when the text would point elsewhere.
		{"not found whose text says already exists", 400, "0x80040217", "The object new_x already exists in another layer and was not found.",
			"Das Objekt new_x wurde nicht gefunden.", preds{notFound: true}},
		{"duplicate whose text mentions the metadata cache", 400, "0x80047013",
			"Attribute new_x already exists; the entity was not found in the MetadataCache of the other layer.",
			"Attribut new_x ist bereits vorhanden.", preds{dup: true}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for lang, msg := range map[string]string{"en": tc.english, "de": tc.german} {
				err := &Error{StatusCode: tc.status, Code: tc.code, Message: msg}
				got := preds{IsNotFound(err), IsCustomizationLock(err), IsDuplicate(err), IsInUse(err)}
				if got != tc.want {
					t.Errorf("%s: got %+v, want %+v (%s)", lang, got, tc.want, strings.TrimSpace(msg))
				}
			}
		})
	}
}
