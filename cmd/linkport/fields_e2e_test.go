package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/linkport/linkport/connectors"
	"github.com/linkport/linkport/connectors/csvfile"
	"github.com/linkport/linkport/connectors/webhook"
	"github.com/linkport/linkport/mapping"
)

// invitationText is what Ada Quill wrote when she invited the user.
const invitationText = "Hi Alex, loved your talk on small tools, let's connect."

// fieldsExport is testdata/export2024 (emails and phones on Bram and
// Farah) plus an Invitations.csv in which Ada Quill invites the user with
// words of her own.
func fieldsExport(t *testing.T, dir string) string {
	t.Helper()
	src := filepath.Join(dir, "export")
	copyDir(t, "testdata/export2024", src)
	inv := "From,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl\n" +
		`Ada Quill,Alex Example,"2/7/26, 9:15 AM","` + invitationText + `",INCOMING,https://www.linkedin.com/in/ada-quill,https://www.linkedin.com/in/alex-example` + "\n" +
		`Alex Example,Emeka Nwosu,"9/18/22, 8:00 AM",,OUTGOING,https://www.linkedin.com/in/alex-example,https://www.linkedin.com/in/emeka-nwosu` + "\n"
	if err := os.WriteFile(filepath.Join(src, "Invitations.csv"), []byte(inv), 0o644); err != nil {
		t.Fatal(err)
	}
	return src
}

// The emails and phones of testdata/export2024, as given and in E.164.
var exportEmailsPhones = []string{"bram@example.org", "b.osei@example.net", "farah@example.com",
	"+44 20 7946 0958", "+442079460958", "+44 7700 900123", "+33 1 23 45 67 89", "+33123456789"}

// hookData collects the data of every event a receiver accepted, by contact id.
func hookData(t *testing.T, r *hookReceiver) map[string]map[string]json.RawMessage {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]map[string]json.RawMessage{}
	for _, body := range r.bodies {
		var ev struct{ Data map[string]json.RawMessage }
		if err := json.Unmarshal([]byte(body), &ev); err != nil {
			t.Fatalf("event: %v\n%s", err, body)
		}
		var id string
		json.Unmarshal(ev.Data["id"], &id)
		out[id] = ev.Data
	}
	return out
}

// cardLines are the unfolded lines of each card of a .vcf bundle, by FN.
func cardLines(t *testing.T, path string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for name, c := range readCards(t, path) {
		out[name] = strings.Split(strings.TrimSpace(unfold(c)), "\r\n")
	}
	return out
}

// TestFieldsExclude: fields.exclude: [emails, phones] on a CSV, a .vcf and
// a webhook target drops exactly those fields: the files hold none of the
// addresses and numbers, the webhook's data has no emails or phones, and
// everything else is what targets without the exclude got. Invitation
// text reaches none of them by default, and all three with include.
func TestFieldsExclude(t *testing.T) {
	dir := env(t)
	src := fieldsExport(t, dir)
	secret, _ := webhook.NewSecret()
	t.Setenv("LP_TEST_HOOK_SECRET", secret)
	include := "[" + strings.Join(connectors.ChoosableFields(), ", ") + "]"
	sets := []struct{ name, fields string }{
		{"plain", ""},
		{"ex", "    fields:\n      exclude: [emails, phones]\n"},
		{"all", "    fields:\n      include: " + include + "\n"},
	}
	receivers := map[string]*hookReceiver{}
	var targets strings.Builder
	for _, s := range sets {
		rcv, srv := newHookReceiver(t, secret)
		receivers[s.name] = rcv
		targets.WriteString("  " + s.name + "-csv:\n    type: csv\n    path: " + filepath.Join(dir, s.name+".csv") + "\n" + s.fields +
			"  " + s.name + "-vcf:\n    type: csv\n    profile: vcard\n    path: " + filepath.Join(dir, s.name+".vcf") + "\n" + s.fields +
			"  " + s.name + "-hook:\n    type: webhook\n    url: " + srv.URL + "\n    secret_env: LP_TEST_HOOK_SECRET\n" + s.fields)
	}
	cfg := writeConfig(t, dir, "source:\n  path: "+src+"\nstate: "+filepath.Join(dir, "state.json")+"\ntargets:\n"+targets.String())
	if code, _, errs := runCLI(t, "sync", "-c", cfg); code != exitOK {
		t.Fatalf("sync exit %d: %s", code, errs)
	}

	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	// The byte search: the plain files hold every address and number, the excluding ones none.
	for _, f := range []string{"csv", "vcf"} {
		plain, ex := read("plain."+f), read("ex."+f)
		for _, v := range exportEmailsPhones {
			if !strings.Contains(plain, v) && !(f == "vcf" && strings.Contains(v, " ")) {
				t.Errorf("plain.%s lacks %q: the search could not fail", f, v)
			}
			if strings.Contains(ex, v) {
				t.Errorf("ex.%s holds %q", f, v)
			}
		}
	}

	// CSV: the same header and rows; only the cells of email and phone columns are empty.
	prof, err := csvfile.LoadProfile("generic")
	if err != nil {
		t.Fatal(err)
	}
	dropped := map[string]bool{}
	for _, c := range prof.Columns {
		switch c.Field {
		case "emails", "phones", "phones_e164", "phones_intl", "email_last_seen", "phone_last_seen":
			dropped[c.Header] = true
		}
	}
	plainRows, exRows := readCSV(t, filepath.Join(dir, "plain.csv")), readCSV(t, filepath.Join(dir, "ex.csv"))
	if len(plainRows) != 6 || len(exRows) != len(plainRows) {
		t.Fatalf("rows: plain %d, ex %d; want 6 each", len(plainRows), len(exRows))
	}
	if h1, h2 := strings.SplitN(read("plain.csv"), "\n", 2)[0], strings.SplitN(read("ex.csv"), "\n", 2)[0]; h1 != h2 {
		t.Errorf("the header changed: CRM imports need stable columns\n%s\n%s", h1, h2)
	}
	for name, p := range plainRows {
		for col, v := range p {
			want := v
			if dropped[col] {
				want = ""
			}
			if got := exRows[name][col]; got != want {
				t.Errorf("ex.csv, %s, %s = %q; want %q", name, col, got, want)
			}
		}
	}

	// vCard: each card is the plain one without its EMAIL and TEL lines.
	plainCards, exCards := cardLines(t, filepath.Join(dir, "plain.vcf")), cardLines(t, filepath.Join(dir, "ex.vcf"))
	if len(plainCards) != 6 || len(exCards) != 6 {
		t.Fatalf("cards: plain %d, ex %d; want 6 each", len(plainCards), len(exCards))
	}
	for name, lines := range plainCards {
		want := slices.DeleteFunc(slices.Clone(lines), func(l string) bool {
			return strings.HasPrefix(l, "EMAIL") || strings.HasPrefix(l, "TEL")
		})
		if !slices.Equal(exCards[name], want) {
			t.Errorf("ex.vcf, %s:\n%s\nwant\n%s", name, strings.Join(exCards[name], "\n"), strings.Join(want, "\n"))
		}
	}

	// Webhook: the same data, without emails and phones.
	plainHook, exHook := hookData(t, receivers["plain"]), hookData(t, receivers["ex"])
	if len(plainHook) != 6 || len(exHook) != 6 {
		t.Fatalf("webhook contacts: plain %d, ex %d; want 6 each", len(plainHook), len(exHook))
	}
	withEmail := 0
	for id, d := range plainHook {
		if _, ok := d["emails"]; ok {
			withEmail++
		}
		want := map[string]json.RawMessage{}
		for k, v := range d {
			if k != "emails" && k != "phones" {
				want[k] = v
			}
		}
		got := exHook[id]
		if len(got) != len(want) {
			t.Errorf("webhook data of %s has keys %v, want %v", id, keysOf(got), keysOf(want))
		}
		for k, v := range want {
			if string(got[k]) != string(v) {
				t.Errorf("webhook data of %s, %s = %s; want %s", id, k, got[k], v)
			}
		}
	}
	if withEmail != 2 {
		t.Errorf("%d plain webhook contacts have emails, want 2 (Bram, Farah)", withEmail)
	}

	// Invitation text: off by default and with exclude, on with include.
	for _, s := range sets {
		want := s.name == "all"
		if got := readCSV(t, filepath.Join(dir, s.name+".csv"))["Ada Quill"]["invitation_text"]; (got == invitationText) != want || (!want && got != "") {
			t.Errorf("%s.csv: Ada's invitation_text %q; want it sent: %v", s.name, got, want)
		}
		if got := strings.Contains(read(s.name+".csv"), "small tools"); got != want {
			t.Errorf("%s.csv holds the invitation's words: %v; want %v", s.name, got, want)
		}
		note := strings.ReplaceAll(strings.Join(cardLines(t, filepath.Join(dir, s.name+".vcf"))["Ada Quill"], "\n"), `\,`, ",")
		if got := strings.Contains(note, "Invitation: “"+invitationText+"”"); got != want {
			t.Errorf("%s.vcf: the NOTE quotes the invitation: %v; want %v\n%s", s.name, got, want, note)
		}
		if !strings.Contains(note, "They invited you on 2026-02-07.") {
			t.Errorf("%s.vcf: the NOTE lacks who invited whom:\n%s", s.name, note)
		}
		if got := strings.Contains(read(s.name+".vcf"), "small tools"); got != want {
			t.Errorf("%s.vcf holds the invitation's words: %v; want %v", s.name, got, want)
		}
		hook := false
		for _, d := range hookData(t, receivers[s.name]) {
			if string(d["invitation_text"]) == `"`+invitationText+`"` {
				hook = true
			}
		}
		receivers[s.name].mu.Lock()
		for _, b := range receivers[s.name].bodies {
			if strings.Contains(b, "small tools") && !want {
				t.Errorf("%s-hook got the invitation's words: %s", s.name, b)
			}
		}
		receivers[s.name].mu.Unlock()
		if hook != want {
			t.Errorf("%s-hook: invitation_text sent %v, want %v", s.name, hook, want)
		}
	}

	// A re-run plans nothing for any of them.
	code, out, errs := runCLI(t, "diff", "-c", cfg, "--format", "json")
	if r := decodeReport(t, out); code != exitOK || len(r.Targets) != 9 {
		t.Fatalf("diff: exit %d, %s", code, errs)
	} else {
		for _, tg := range r.Targets {
			if len(tg.Changes) != 0 {
				t.Errorf("diff after sync: %s plans %+v", tg.Name, tg.Changes)
			}
		}
	}
}

func keysOf(m map[string]json.RawMessage) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Turning invitation text off is a change of what a target receives: the
// people with invitation text get one update; a target that names
// invitation_text in its include sees no change from everything-sent.
func TestInvitationTextDefaultIsAnUpdate(t *testing.T) {
	dir := env(t)
	src := fieldsExport(t, dir)
	config := func(fields string) string {
		return writeConfig(t, dir, "source:\n  path: "+src+"\nstate: "+filepath.Join(dir, "state.json")+
			"\ntargets:\n  backup:\n    type: csv\n    path: "+filepath.Join(dir, "c.csv")+"\n"+fields)
	}
	// Everything, as linkport sent before invitation text was off by default.
	all := config("    fields:\n      include: [" + strings.Join(connectors.ChoosableFields(), ", ") + "]\n")
	if code, _, errs := runCLI(t, "sync", "-c", all); code != exitOK {
		t.Fatalf("sync exit %d: %s", code, errs)
	}
	if code, out, _ := runCLI(t, "diff", "-c", all, "--format", "json"); code != exitOK || len(decodeReport(t, out).Targets[0].Changes) != 0 {
		t.Errorf("diff with the same include plans changes: %s", out)
	}
	code, out, errs := runCLI(t, "diff", "-c", config(""), "--format", "json")
	r := decodeReport(t, out)
	if code != exitOK || len(r.Targets) != 1 {
		t.Fatalf("diff with the default: exit %d, %s", code, errs)
	}
	ch := r.Targets[0].Changes
	if len(ch) != 1 || ch[0].Name != "Ada Quill" || ch[0].Op != "update" {
		t.Errorf("the default plans %+v; want one update, of Ada Quill", ch)
	}
	if !strings.Contains(out, `"invitation_text"`) {
		t.Errorf("the update does not name invitation_text:\n%s", out)
	}
}

// A fields key with a mistake is a configuration error naming the target
// and what was meant; nothing is written.
func TestFieldsConfigErrors(t *testing.T) {
	for _, tc := range []struct{ name, fields, want string }{
		{"typo", "exclude: [email]", `targets.book: fields.exclude: unknown field "email": did you mean "emails"?`},
		{"typo in include", "include: [name, compnay]", `targets.book: fields.include: unknown field "compnay": did you mean "company"?`},
		{"nothing close", "exclude: [shoe_size]", `fields.exclude: "shoe_size" is not a field (fields: first_name, last_name`},
		{"both", "{include: [emails], exclude: [phones]}", "targets.book: fields: include and exclude together"},
		{"mandatory", "exclude: [name]", `targets.book: fields.exclude: "name" is sent to every target`},
		{"the id", "exclude: [id]", `fields.exclude: "id" is sent to every target`},
		{"derived", "exclude: [phones_e164]", `"phones_e164" is a form of "phones"`},
		{"key typo", "inclde: [emails]", `unknown key "fields.inclde": did you mean "fields.include"?`},
		{"not a list", "exclude: emails", "fields.exclude: want a list of field names"},
		{"not a map", "!", "fields: want include: [field, …] or exclude: [field, …]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := env(t)
			fields := "    fields:\n      " + tc.fields + "\n"
			switch {
			case strings.HasPrefix(tc.fields, "{"):
				fields = "    fields: " + tc.fields + "\n"
			case tc.fields == "!":
				fields = "    fields: [emails]\n"
			}
			path := filepath.Join(dir, "c.csv")
			cfg := writeConfig(t, dir, "source:\n  path: testdata/export2024\nstate: "+filepath.Join(dir, "state.json")+
				"\ntargets:\n  book:\n    type: csv\n    path: "+path+"\n"+fields)
			for _, cmd := range []string{"diff", "sync"} {
				code, _, errs := runCLI(t, cmd, "-c", cfg)
				if code != exitUsage || !strings.Contains(errs, tc.want) {
					t.Errorf("%s: exit %d, %s; want 2 and %q", cmd, code, errs, tc.want)
				}
			}
			if _, err := os.Stat(path); err == nil {
				t.Error("the target was written")
			}
			if _, err := os.Stat(filepath.Join(dir, "state.json")); err == nil {
				t.Error("the state was written")
			}
		})
	}
}

// The README's Privacy table names every canonical field once, and says
// "always sent" of exactly the mandatory ones and "not sent" of exactly
// the off-by-default ones: it is the documented list.
func TestReadmeListsEveryField(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(string(b), "### What each target is sent\n")
	if !ok {
		t.Fatal("README.md has no section 'What each target is sent'")
	}
	sec, _, _ = strings.Cut(sec, "\n#")
	seen := map[string]int{}
	var always, off []string
	field := regexp.MustCompile("`([a-z_0-9]+)`")
	namesIn := func(cell string) []string {
		var out []string
		for _, m := range field.FindAllStringSubmatch(cell, -1) {
			if _, ok := mapping.LookupField(m[1]); ok {
				out = append(out, m[1])
			}
		}
		return out
	}
	var rows [][]string
	rowed := map[string]bool{} // the fields with a row of their own
	for _, line := range strings.Split(sec, "\n") {
		if cells := strings.Split(line, "|"); len(cells) >= 5 && strings.HasPrefix(line, "| `") {
			rows = append(rows, cells)
			for _, n := range namesIn(cells[1]) {
				rowed[n] = true
			}
		}
	}
	for _, cells := range rows {
		names := namesIn(cells[1])
		// A derived form is named in its field's description.
		for _, n := range namesIn(cells[2]) {
			if !rowed[n] {
				names = append(names, n)
			}
		}
		for _, n := range names {
			seen[n]++
		}
		switch def := cells[3]; {
		case strings.Contains(def, "always sent"):
			always = append(always, names...)
		case strings.Contains(def, "not sent"):
			off = append(off, names...)
		}
	}
	for _, f := range mapping.Catalogue() {
		if seen[f.Name] != 1 {
			t.Errorf("the README's table names %s %d times, want once", f.Name, seen[f.Name])
		}
	}
	if slices.Sort(always); !slices.Equal(always, sorted(connectors.MandatoryFields())) {
		t.Errorf("README: always sent %v, want %v", always, connectors.MandatoryFields())
	}
	if !slices.Equal(off, connectors.OffByDefault()) {
		t.Errorf("README: not sent by default %v, want %v", off, connectors.OffByDefault())
	}
}

func sorted(s []string) []string { slices.Sort(s); return s }

// linkport export writes what a file target is sent by default: the
// invitation's words stay out, who invited whom and when stay in.
func TestExportLeavesOutInvitationText(t *testing.T) {
	dir := env(t)
	src := fieldsExport(t, dir)
	for _, profile := range []string{"generic", "vcard", "google"} {
		out := filepath.Join(dir, profile+".out")
		args := []string{"export", "--profile", profile, "--source", src, "--output", out}
		if profile == "generic" {
			args = append(args, "--state", filepath.Join(dir, "state.json"), "--changes")
		}
		if code, _, errs := runCLI(t, args...); code != exitOK {
			t.Fatalf("export %s: exit %d, %s", profile, code, errs)
		}
		files, _ := filepath.Glob(strings.TrimSuffix(out, ".out") + "*")
		if len(files) == 0 {
			t.Fatalf("export %s wrote nothing", profile)
		}
		for _, f := range files {
			b, _ := os.ReadFile(f)
			if strings.Contains(string(b), "small tools") {
				t.Errorf("export %s: %s holds the invitation's words", profile, f)
			}
			if profile != "generic" && !strings.Contains(strings.ReplaceAll(unfold(string(b)), "\r\n ", ""), "They invited you on 2026-02-07.") {
				t.Errorf("export %s: %s lacks who invited whom:\n%s", profile, f, b)
			}
		}
	}
}
