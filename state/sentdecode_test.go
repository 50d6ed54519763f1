package state

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/linkport/linkport/mapping"
)

// fullContact sets every field of a Contact and of its Extra to s (found by
// reflection, so a field added to either is covered), lists to one item.
func fullContact(s string) *mapping.Contact {
	c := &mapping.Contact{}
	var fill func(v reflect.Value)
	fill = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.String:
			v.SetString(s)
		case reflect.Int:
			v.SetInt(int64(len(s)) - 2)
		case reflect.Slice:
			e := reflect.MakeSlice(v.Type(), 1, 1)
			fill(e.Index(0))
			v.Set(e)
		case reflect.Pointer:
			v.Set(reflect.New(v.Type().Elem()))
			fill(v.Elem())
		case reflect.Struct:
			for i := range v.NumField() {
				if v.Type().Field(i).Tag.Get("json") != "-" {
					fill(v.Field(i))
				}
			}
		}
	}
	fill(reflect.ValueOf(c).Elem())
	return c
}

// sameDecode checks that the sent store's decoder (get) and encoding/json
// agree on raw: both refuse it, or both read the same contact.
func sameDecode(t *testing.T, raw []byte) {
	t.Helper()
	st := newSentStore("")
	st.added["fp"] = raw
	got, gerr := st.get("fp")
	var want mapping.Contact
	werr := json.Unmarshal(raw, &want)
	if (gerr == nil) != (werr == nil) {
		t.Fatalf("decode error %v, encoding/json's %v, for %q", gerr, werr, raw)
	}
	if gerr == nil && !reflect.DeepEqual(got, &want) {
		t.Fatalf("decoded %+v (extra %+v)\nencoding/json %+v (extra %+v)\nfor %q", *got, got.Extra, want, want.Extra, raw)
	}
}

// TestSentDecode: the copies the store writes (AppendJSON) read back as
// encoding/json reads them, every field of Contact and Extra set, none, and
// strings json escapes; a copy of an earlier linkport's (no Extra) too.
func TestSentDecode(t *testing.T) {
	for _, s := range []string{"", "Ada", "a\"b\\c", "<b>&amp;</b>", "tab\there\nnew\x00\x1f", "é 中文 🙂", "\u2028", "bad \xff utf8"} {
		c := fullContact(s)
		c.Keys = ""
		sameDecode(t, c.AppendJSON(nil))
	}
	sameDecode(t, (&mapping.Contact{ID: "a", Name: "Ada", Sources: []string{"connection"}}).AppendJSON(nil))
	sameDecode(t, []byte(`{"id":"a","name":"Ada","email_status":"hidden","sources":["connection"],"notes":["x"],"previous":[{"title":"CTO"}]}`))
}

// FuzzSentDecode: whatever the bytes of a copy, the store's decoder and
// encoding/json agree (a damaged or edited <state>.sent included).
func FuzzSentDecode(f *testing.F) {
	f.Add(fullContact("Ada").AppendJSON(nil))
	f.Add([]byte(`{"id":"a","name":"A","sources":null,"message_count":3,"previous":[]}`))
	f.Add([]byte(`{"id":1}`))
	f.Add([]byte(`{"ID":"a","Notes":["case"],"unknown":true}`))
	f.Fuzz(func(t *testing.T, raw []byte) { sameDecode(t, raw) })
}
