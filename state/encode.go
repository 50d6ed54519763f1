package state

import (
	"encoding/json"
	"slices"
	"strconv"

	"github.com/linkport/linkport/mapping"
)

// appendSnapshot appends s as json.Marshal encodes it, byte for byte: its
// maps' keys sorted, a nil map as null, the omitted fields omitted. A state
// at 40,000 people is some 90,000 map entries, and encoding/json's
// reflection over them was a seventh of a sync that writes.
// TestAppendSnapshot holds it to json.Marshal, and fails when a field is
// added to Snapshot, Target, Item or Ref and not here. A Book (one per
// CardDAV target) goes through json.Marshal.
func appendSnapshot(b []byte, s *Snapshot) ([]byte, error) {
	b = append(b, `{"version":`...)
	b = strconv.AppendInt(b, int64(s.Version), 10)
	b, _ = appendMap(append(b, `,"identities":`...), s.Identities, appendString) // appendString cannot fail
	b, err := appendMap(append(b, `,"targets":`...), s.Targets, appendTarget)
	if err != nil {
		return b, err
	}
	if len(s.Cursors) > 0 {
		b, _ = appendMap(append(b, `,"cursors":`...), s.Cursors, appendString)
	}
	if s.ForgetKey != "" {
		b = mapping.AppendJSONString(append(b, `,"forget_key":`...), s.ForgetKey)
	}
	if len(s.Graves) > 0 {
		b = mapping.AppendJSONStrings(append(b, `,"tombstones":`...), s.Graves)
	}
	return append(b, '}'), nil
}

func appendTarget(b []byte, t *Target) ([]byte, error) {
	if t == nil {
		return append(b, "null"...), nil
	}
	b = mapping.AppendJSONString(append(b, `{"type":`...), t.Type)
	b, _ = appendMap(append(b, `,"items":`...), t.Items, appendItem) // appendItem cannot fail
	if t.Book != nil {
		book, err := json.Marshal(t.Book)
		if err != nil {
			return b, err
		}
		b = append(append(b, `,"book":`...), book...)
	}
	return append(b, '}'), nil
}

func appendItem(b []byte, it *Item) ([]byte, error) {
	if it == nil {
		return append(b, "null"...), nil
	}
	b = mapping.AppendJSONString(append(b, `{"fingerprint":`...), it.Fingerprint)
	if !it.Ref.IsZero() {
		b = appendRef(append(b, `,"ref":`...), it.Ref)
	}
	if it.Removed {
		b = append(b, `,"removed":true`...)
	}
	if it.RemoteDeleted {
		b = append(b, `,"remote_deleted":true`...)
	}
	return append(b, '}'), nil
}

// appendRef appends r as json.Marshal does: each field omitted when empty.
func appendRef(b []byte, r Ref) []byte {
	return mapping.AppendJSONObject(b, [][2]string{{"href", r.Href}, {"etag", r.ETag}, {"adopted", r.Adopted}})
}

// appendMap appends m as json.Marshal does, keys sorted, nil as null,
// each value as value appends it.
func appendMap[V any](b []byte, m map[string]V, value func([]byte, V) ([]byte, error)) ([]byte, error) {
	if m == nil {
		return append(b, "null"...), nil
	}
	b = append(b, '{')
	for i, k := range sortedKeys(m) {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = value(append(mapping.AppendJSONString(b, k), ':'), m[k]); err != nil {
			return b, err
		}
	}
	return append(b, '}'), nil
}

func appendString(b []byte, s string) ([]byte, error) { return mapping.AppendJSONString(b, s), nil }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
