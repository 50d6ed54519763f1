package linkedin

import "testing"

func TestFormatAddress(t *testing.T) {
	tests := []struct {
		name, cell, want string
	}{
		{"real shape, city already in the text",
			"7 Example Street, Riverton City:Riverton State: Country:US Postal Code:20735 Type:HOME Primary:true",
			"7 Example Street, Riverton, 20735, US"},
		{"every part",
			"1 Main St City:Springfield State:IL Country:US Postal Code:62701 Type:WORK Primary:false",
			"1 Main St, Springfield, IL 62701, US"},
		{"keys in another order",
			"1 Main St Primary:true Postal Code:62701 Type:HOME Country:US State:IL City:Springfield",
			"1 Main St, Springfield, IL 62701, US"},
		{"missing keys", "1 Main St City:Springfield Type:HOME", "1 Main St, Springfield"},
		{"empty values", "1 Main St City: State: Country: Postal Code: Type: Primary:", "1 Main St"},
		{"only the labels", "City:Springfield State:IL Country:US", "Springfield, IL, US"},
		{"street with commas", "Flat 2, 10 High Street, Old Town, Leeds City:Leeds Country:UK Postal Code:LS1 1AA Type:HOME",
			"Flat 2, 10 High Street, Old Town, Leeds, LS1 1AA, UK"},
		{"street with a colon elsewhere", "Unit 4: rear, 9 Dock Road City:Riverton State:NJ Postal Code:07001",
			"Unit 4: rear, 9 Dock Road, Riverton, NJ 07001"},
		{"label word inside the street", "12 State Street,City:Boston State:MA", "12 State Street, Boston, MA"},
		{"multi-line street", "Apt 5\n  22  Elm Road\n City:Riverton", "Apt 5, 22 Elm Road, Riverton"},
		{"state and postal already in the text", "1 Main St, Springfield, IL 62701 City:Springfield State:IL Postal Code:62701 Country:US",
			"1 Main St, Springfield, IL 62701, US"},
		{"text without pairs", "7 Example Street, Riverton, NJ 20735", "7 Example Street, Riverton, NJ 20735"},
		{"a colon but no label", "Attn: Front desk, 1 Main St", "Attn: Front desk, 1 Main St"},
		{"lower-case label is not LinkedIn's", "1 Main St city:Springfield", "1 Main St city:Springfield"},
		{"city not yet in the text", "Downtown City:Springfield", "Downtown, Springfield"},
		{"label inside a word", "1 SubCity:Springfield", "1 SubCity:Springfield"},
		{"repeated label kept as given", "1 Main St City:A Type:HOME, 2 Side St City:B Type:WORK",
			"1 Main St City:A Type:HOME, 2 Side St City:B Type:WORK"},
	}
	for _, tt := range tests {
		if got := formatAddress(tt.cell); got != tt.want {
			t.Errorf("%s: formatAddress(%q)\n got %q\nwant %q", tt.name, tt.cell, got, tt.want)
		}
	}
}
