package mapping

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// filled sets every JSON field of a Contact and of its Extra (found by
// reflection, so a field added to either is covered) to v, slices to one
// element of v.
func filled(v string) *Contact {
	c := &Contact{}
	fill(reflect.ValueOf(c).Elem(), v)
	return c
}

func fill(rv reflect.Value, v string) {
	switch rv.Kind() {
	case reflect.String:
		rv.SetString(v)
	case reflect.Int:
		rv.SetInt(int64(len(v)) - 3)
	case reflect.Slice:
		s := reflect.MakeSlice(rv.Type(), 1, 1)
		fill(s.Index(0), v)
		rv.Set(s)
	case reflect.Pointer:
		rv.Set(reflect.New(rv.Type().Elem()))
		fill(rv.Elem(), v)
	case reflect.Struct:
		for i := range rv.NumField() {
			if rv.Type().Field(i).Tag.Get("json") != "-" {
				fill(rv.Field(i), v)
			}
		}
	}
}

func checkJSON(t *testing.T, c *Contact) {
	t.Helper()
	want, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.AppendJSON(nil); string(got) != string(want) {
		t.Fatalf("AppendJSON differs from json.Marshal:\n got %s\nwant %s", got, want)
	}
}

// TestAppendJSON: AppendJSON is json.Marshal's bytes for every field set,
// each field alone, none, and every string json escapes.
func TestAppendJSON(t *testing.T) {
	for _, v := range []string{"", "Ada", "a\"b\\c", "<b>&amp;</b>", "tab\there\nnew\rline\b\f\x00\x1f\x7f",
		"é ü 中文 🙂", "\u2028\u2029", "bad \xff\xfe utf8 \xc3", "\xed\xa0\x80", "https://www.linkedin.com/in/ada?x=1&y=2"} {
		checkJSON(t, filled(v))
	}
	checkJSON(t, &Contact{})
	checkJSON(t, &Contact{Sources: []string{}, Emails: []string{}, Phones: []Phone{}, Whereabouts: &Whereabouts{PostalAddresses: []Address{{}}}, Extra: &Extra{Previous: []Position{{}}}})
	full := filled("x")
	for _, f := range reflect.VisibleFields(reflect.TypeFor[Contact]()) { // each field alone
		if f.Tag.Get("json") == "-" || f.Anonymous {
			continue
		}
		c := &Contact{Extra: &Extra{}, Whereabouts: &Whereabouts{}}
		reflect.ValueOf(c).Elem().FieldByIndex(f.Index).Set(reflect.ValueOf(full).Elem().FieldByIndex(f.Index))
		checkJSON(t, c)
	}
	if full.Extra == nil || full.InvitationText != "x" {
		t.Fatal("filled leaves Extra empty: the fields above were not all covered")
	}
	c := filled("y")
	c.Phones = []Phone{{Raw: "+1 202"}, {Raw: "020", E164: "+4420"}}
	c.Fill().Previous = []Position{{Title: "CTO"}, {Company: "Hooli", Until: "2020-01-01"}}
	c.Whereabouts = &Whereabouts{PostalAddresses: []Address{{City: "Paris"}, {Street: "1 Rue", Country: "FR"}}}
	c.Fill().MessageCount = -12
	checkJSON(t, c)
}

// TestJSONRoundTrip: what the sent store reads back (encoding/json into a
// Contact) is the contact that was written, Extra and all; a contact
// without one reads back without one.
func TestJSONRoundTrip(t *testing.T) {
	for _, c := range []*Contact{filled("x"), {ID: "a", Name: "Ada", Sources: []string{"connection"}}} {
		var back Contact
		if err := json.Unmarshal(c.AppendJSON(nil), &back); err != nil {
			t.Fatal(err)
		}
		c.Keys = "" // not part of the JSON form
		if !reflect.DeepEqual(&back, c) {
			t.Errorf("read back %+v (extra %+v)\nwrote %+v (extra %+v)", back, back.Extra, *c, c.Extra)
		}
	}
}

// FuzzAppendJSON holds AppendJSON to json.Marshal for any strings.
func FuzzAppendJSON(f *testing.F) {
	f.Add("Ada", "a<b>&\"\\", "\u2028\xff", 3)
	f.Fuzz(func(t *testing.T, a, b, c string, n int) {
		x := filled(a)
		x.Name, x.Company, x.Emails = b, c, []string{a, b, c}
		x.Phones = []Phone{{Raw: c, E164: strings.ToUpper(b)}}
		x.Fill().MessageCount = n
		checkJSON(t, x)
	})
}

func BenchmarkFingerprint(b *testing.B) {
	c := &Contact{ID: "0123456789abcdef", Name: "Ada Lovelace", FirstName: "Ada", LastName: "Lovelace",
		ProfileURL: "https://www.linkedin.com/in/ada-lovelace-1234", EmailStatus: EmailHidden, Company: "Analytical Engines Ltd",
		Title: "Principal Engineer", ConnectedOn: "2019-03-15", Sources: []string{"connection"}}
	b.Run("json.Marshal", func(b *testing.B) {
		for b.Loop() {
			json.Marshal(c)
		}
	})
	b.Run("AppendJSON", func(b *testing.B) {
		for b.Loop() {
			c.AppendJSON(make([]byte, 0, 4096))
		}
	})
}
