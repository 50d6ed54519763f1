package mapping

import (
	"encoding/binary"
	"strings"
	"time"
)

// Messages is what linkport keeps of messages.csv: not its rows but their
// summary, folded as they stream. Rows that agree on who wrote to whom
// (From, FromURL, To, ToURLs, Outgoing) share one MessageGroup holding
// their count and newest date; each conversation lists its groups once, in
// the order the rows first showed them. That is all enrichment derives
// from messages, so a heavy user's half a million rows cost a few thousand
// entries. The zero value is empty and ready to use.
type Messages struct {
	n       int // rows added
	strs    map[string]string
	lists   map[string][]string // ToURLs by group key part
	byKey   map[string]int32    // group key → index in groups
	groups  []MessageGroup
	convIDs map[string]int32 // conversation ID → index in convs
	convs   []string
	seen    map[ConvGroup]struct{}
	pairs   []ConvGroup
	key     []byte // scratch: the row's group key

	keepSeconds bool
	seconds     map[convSecond]struct{}
}

// MessageGroup is the rows of messages.csv that agree on who wrote to whom.
type MessageGroup struct {
	From    string   // the sender's display name
	FromURL string   // the sender's profile URL, "" when unknown
	To      string   // the recipients' display names joined by ", "
	ToURLs  []string // the recipients' profile URLs; shared: do not modify
	// Outgoing: the file itself says the user sent them (see Message.Outgoing).
	Outgoing bool

	Count int // rows
	// Dated says whether any row had a date; Newest is the newest such date
	// and NewestRow the index (0-based, in the order added) of the last row
	// dated Newest, so that ties between groups resolve as between rows.
	Dated     bool
	Newest    time.Time
	NewestRow int
}

// ConvGroup is a conversation (an index into Conversations) in which the
// rows of a group (an index into Groups) took part.
type ConvGroup struct{ Conv, Group int32 }

type convSecond struct {
	conv int32
	sec  int64
}

// Len is the number of rows added.
func (ms *Messages) Len() int { return ms.n }

// Groups are the distinct groups, in the order their first rows came.
func (ms *Messages) Groups() []MessageGroup { return ms.groups }

// Conversations are the conversation IDs, "" among them for the rows
// without one (the 2018 file), in the order their first rows came.
func (ms *Messages) Conversations() []string { return ms.convs }

// Pairs are the distinct (conversation, group) pairs, in the order their
// first rows came: replaying them replays every row that told something
// new about who takes part in which conversation.
func (ms *Messages) Pairs() []ConvGroup { return ms.pairs }

// KeepSeconds makes Add remember, per conversation, the seconds its dated
// rows were sent at, for HasSecond. Off by default: it costs a few bytes a
// row, and only applying API message events needs it.
func (ms *Messages) KeepSeconds() { ms.keepSeconds = true }

// HasSecond reports whether a dated row of conversation conv was sent in
// the Unix second sec; always false unless KeepSeconds was called first.
func (ms *Messages) HasSecond(conv string, sec int64) bool {
	i, ok := ms.convIDs[conv]
	if !ok {
		return false
	}
	_, ok = ms.seconds[convSecond{i, sec}]
	return ok
}

// Add folds one row in and returns the bytes it newly keeps (about: the
// strings and entries it added), 0 when the row only counted. m's strings
// and slice are copied where kept, so they may point into a reused buffer.
func (ms *Messages) Add(m *Message) int64 {
	if ms.byKey == nil {
		ms.strs, ms.lists, ms.byKey = map[string]string{}, map[string][]string{}, map[string]int32{}
		ms.convIDs, ms.seen = map[string]int32{}, map[ConvGroup]struct{}{}
	}
	var cost int64
	row := ms.n
	ms.n++

	// The key encodes each part with its length, so distinct rows never share one.
	k := ms.key[:0]
	for _, s := range [...]string{m.From, m.FromURL, m.To} {
		k = binary.AppendUvarint(k, uint64(len(s)))
		k = append(k, s...)
	}
	urlsAt := len(k)
	k = binary.AppendUvarint(k, uint64(len(m.ToURLs)))
	for _, u := range m.ToURLs {
		k = binary.AppendUvarint(k, uint64(len(u)))
		k = append(k, u...)
	}
	if m.Outgoing {
		k = append(k, 1)
	} else {
		k = append(k, 0)
	}
	ms.key = k

	gi, ok := ms.byKey[string(k)]
	if !ok {
		gi = int32(len(ms.groups))
		urls, known := ms.lists[string(k[urlsAt:len(k)-1])]
		if !known {
			urls = make([]string, len(m.ToURLs))
			for i, u := range m.ToURLs {
				urls[i] = ms.intern(u, &cost)
			}
			ms.lists[string(k[urlsAt:len(k)-1])] = urls
			cost += int64(len(k)-urlsAt) + 16*int64(len(urls)) + 64
		}
		ms.groups = append(ms.groups, MessageGroup{From: ms.intern(m.From, &cost), FromURL: ms.intern(m.FromURL, &cost),
			To: ms.intern(m.To, &cost), ToURLs: urls, Outgoing: m.Outgoing})
		ms.byKey[string(k)] = gi
		cost += int64(len(k)) + 64 + 120
	}
	g := &ms.groups[gi]
	g.Count++
	if !m.Date.IsZero() && (!g.Dated || m.Date.Compare(g.Newest) >= 0) {
		g.Dated, g.Newest, g.NewestRow = true, m.Date, row
	}

	ci, ok := ms.convIDs[m.Conversation]
	if !ok {
		ci = int32(len(ms.convs))
		c := strings.Clone(m.Conversation)
		ms.convs = append(ms.convs, c)
		ms.convIDs[c] = ci
		cost += int64(len(c)) + 16 + 64
	}
	if p := (ConvGroup{ci, gi}); !ok || ms.hasNot(p) {
		ms.seen[p] = struct{}{}
		ms.pairs = append(ms.pairs, p)
		cost += 8 + 40
	}
	if ms.keepSeconds && !m.Date.IsZero() {
		if ms.seconds == nil {
			ms.seconds = map[convSecond]struct{}{}
		}
		if s := (convSecond{ci, m.Date.Unix()}); !ms.hasSecond(s) {
			ms.seconds[s] = struct{}{}
			cost += 16 + 32
		}
	}
	return cost
}

func (ms *Messages) hasNot(p ConvGroup) bool {
	_, ok := ms.seen[p]
	return !ok
}

func (ms *Messages) hasSecond(s convSecond) bool {
	_, ok := ms.seconds[s]
	return ok
}

// intern returns a copy of s shared by every group that holds it, adding
// its size to cost when new.
func (ms *Messages) intern(s string, cost *int64) string {
	if s == "" {
		return ""
	}
	if v, ok := ms.strs[s]; ok {
		return v
	}
	c := strings.Clone(s)
	ms.strs[c] = c
	*cost += int64(len(c)) + 48
	return c
}

// MessagesOf folds rows, in order, into a new Messages.
func MessagesOf(rows ...Message) Messages {
	var ms Messages
	for i := range rows {
		ms.Add(&rows[i])
	}
	return ms
}
