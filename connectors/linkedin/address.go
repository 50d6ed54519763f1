package linkedin

import (
	"strings"

	"github.com/linkport/linkport/mapping"
)

// postalAddress is a Contacts.csv Addresses cell in parts, when it carries
// LinkedIn's labels: cards write ADR in its components from it, and a
// country lets a phone be read in that country's plan.
func postalAddress(cell string) (mapping.Address, bool) {
	street, vals, ok := parseAddress(cell)
	if !ok {
		return mapping.Address{}, false
	}
	city := vals[keyCity]
	if head, tail, found := cutLast(street, ","); found && city != "" && strings.EqualFold(strings.TrimSpace(tail), city) {
		street = strings.TrimSpace(head) // LinkedIn's free text usually ends with the city
	}
	return mapping.Address{Street: street, City: city, Region: vals[keyState],
		PostalCode: vals[keyPostal], Country: vals[keyCountry]}, true
}

func cutLast(s, sep string) (before, after string, found bool) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return s, "", false
}

// Labels LinkedIn appends to a Contacts.csv address, after the free text:
// `7 Example Street, Riverton City:Riverton State: Country:US Postal Code:20735 Type:HOME Primary:true`.
const (
	keyCity = iota
	keyState
	keyCountry
	keyPostal
	keyType
	keyPrimary
	numKeys
)

// addressKeys are matched case-sensitively, as exported, and only at the
// start of the cell or after a space or comma, so another colon in the
// street ("Suite 5: rear") is not a label.
var addressKeys = [numKeys]string{"City:", "State:", "Country:", "Postal Code:", "Type:", "Primary:"}

// formatAddress turns a Contacts.csv Addresses cell into one line:
//
//	<street>, <city>, <state> <postal code>, <country>
//
// Empty parts and their separators are left out, and a city, state, postal
// code or country the free text already holds as a comma-separated part
// (LinkedIn's text usually ends with the city) is not repeated. Type and
// Primary have no place in mapping.Record and are dropped. A cell without
// labels, or with a label twice (several addresses in an unknown layout),
// is kept as given: better raw than cut in the wrong place.
func formatAddress(cell string) string {
	street, vals, ok := parseAddress(cell)
	if !ok {
		return cell
	}
	var segs []string
	for _, line := range strings.Split(street, "\n") {
		if line = strings.Join(strings.Fields(line), " "); line != "" {
			segs = append(segs, line)
		}
	}
	street = strings.Join(segs, ", ")
	has := func(v string) bool {
		for seg := range strings.SplitSeq(street, ",") {
			if strings.EqualFold(strings.TrimSpace(seg), v) {
				return true
			}
		}
		return false
	}
	parts := []string{street}
	keep := func(v string) string {
		if v == "" || has(v) {
			return ""
		}
		return v
	}
	parts = append(parts, keep(vals[keyCity]))
	if sp := strings.TrimSpace(vals[keyState] + " " + vals[keyPostal]); !has(sp) {
		parts = append(parts, strings.TrimSpace(keep(vals[keyState])+" "+keep(vals[keyPostal])))
	}
	parts = append(parts, keep(vals[keyCountry]))
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, ", ")
}

// parseAddress splits a cell into the free text before the first label and
// the trimmed label values. ok is false when the cell has no label or one
// twice.
func parseAddress(cell string) (street string, vals [numKeys]string, ok bool) {
	type hit struct{ at, key int }
	var hits []hit
	var seen [numKeys]bool
	for i := 0; i < len(cell); i++ {
		if i > 0 && !strings.ContainsRune(" \t\r\n,", rune(cell[i-1])) {
			continue
		}
		for k, key := range addressKeys {
			if strings.HasPrefix(cell[i:], key) {
				if seen[k] {
					return "", vals, false
				}
				seen[k] = true
				hits = append(hits, hit{i, k})
				i += len(key) - 1
				break
			}
		}
	}
	if len(hits) == 0 {
		return "", vals, false
	}
	for j, h := range hits {
		end := len(cell)
		if j+1 < len(hits) {
			end = hits[j+1].at
		}
		vals[h.key] = strings.Trim(cell[h.at+len(addressKeys[h.key]):end], ",; \t\r\n")
	}
	street = strings.Trim(cell[:hits[0].at], ",; \t\r\n")
	return street, vals, true
}
