package mapping

import (
	"slices"
	"strings"
	"testing"
)

func TestKeys(t *testing.T) {
	long := "name:" + strings.Repeat("é", 200) + "|acme" // a length of two uvarint bytes
	tests := []struct {
		name string
		in   []string
		want []string
	}{
		{"none", nil, nil},
		{"one", []string{"url:ada"}, []string{"url:ada"}},
		{"order kept", []string{"name:ada|x", "url:ada", "email:a@b"}, []string{"name:ada|x", "url:ada", "email:a@b"}},
		{"duplicates once", []string{"url:ada", "email:a@b", "url:ada"}, []string{"url:ada", "email:a@b"}},
		{"any byte", []string{"email:a\nb\x00c@d", "name:\x80\xff|"}, []string{"email:a\nb\x00c@d", "name:\x80\xff|"}},
		{"long", []string{"url:ada", long, "email:a@b"}, []string{"url:ada", long, "email:a@b"}},
		{"empty key", []string{"", "url:ada"}, []string{"", "url:ada"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := KeysOf(tt.in...)
			if got := k.List(); !slices.Equal(got, tt.want) {
				t.Errorf("List() = %q; want %q", got, tt.want)
			}
			if k.Len() != len(tt.want) {
				t.Errorf("Len() = %d; want %d", k.Len(), len(tt.want))
			}
			if first := k.First(); len(tt.want) > 0 && first != tt.want[0] || len(tt.want) == 0 && first != "" {
				t.Errorf("First() = %q; want the first of %q", first, tt.want)
			}
			for _, w := range tt.want {
				if !k.Has(w) {
					t.Errorf("Has(%q) = false", w)
				}
			}
			if k.Has("url:someone-else") {
				t.Error(`Has("url:someone-else") = true`)
			}
			if got := k.With("phone:+44").List(); !slices.Equal(got, append(slices.Clone(tt.want), "phone:+44")) {
				t.Errorf("With(new) = %q", got)
			}
			if len(tt.want) > 0 && k.With(tt.want[0]) != k {
				t.Errorf("With(%q), a key it has, changed the keys", tt.want[0])
			}
		})
	}
}

// identityKeys writes its name key without appendKey: its length must
// still come out right when lowering changes how many bytes a name takes.
func TestIdentityKeysLength(t *testing.T) {
	c := &Contact{Name: "İlkay ẞtraße " + strings.Repeat("Ω", 70), Company: "KELVIN K", Emails: []string{"i@example.org"}}
	got := identityKeys(c, "ilkay")
	want := []string{"url:ilkay", "email:i@example.org", "name:" + NameKey(c.Name) + "|" + NameKey(c.Company)}
	if got != KeysOf(want...) { // the bytes, lengths included: a wrong last length would still read back
		t.Errorf("identityKeys = %q (%q); want %q", got.List(), string(got), want)
	}
}

// FuzzKeys holds Keys to the list it was made of: whatever bytes the keys
// hold, each comes back whole, in order, once.
func FuzzKeys(f *testing.F) {
	f.Add("url:ada\x1femail:a@b\x1furl:ada")
	f.Add("\x1f\x1f" + strings.Repeat("x", 300))
	f.Fuzz(func(t *testing.T, s string) {
		in := strings.Split(s, "\x1f")
		var want []string
		for _, k := range in {
			if !slices.Contains(want, k) {
				want = append(want, k)
			}
		}
		if got := KeysOf(in...).List(); !slices.Equal(got, want) {
			t.Errorf("KeysOf(%q).List() = %q", in, got)
		}
	})
}
