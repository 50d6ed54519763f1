// Package connectors holds what every source and target shares: the Source
// and Target interfaces, their optional capabilities, and the engine: Run,
// the one place a run happens (lock → load → identify → diff → guard →
// journal → apply → confirm → save), and Sync, which applies one plan to
// one target.
package connectors

import (
	"context"

	"github.com/linkport/linkport/mapping"
	"github.com/linkport/linkport/state"
)

// Source yields an export's records (a LinkedIn archive or the API).
type Source interface {
	Read(ctx context.Context) (*mapping.Export, error)
}

// Outcome is what a target reports about one confirmed write.
type Outcome struct {
	// Ref is the target's handle for the contact; zero after a remove means
	// the contact is gone from the target, non-zero that it was kept or marked.
	Ref state.Ref
	// Conflicts names owned fields the user changed on the target and linkport kept.
	Conflicts []string
	// RemoteDeleted: the user had deleted the contact on the target; linkport
	// did not recreate it.
	RemoteDeleted bool
	// Adopted: the create linked a record the user made (a card of theirs)
	// instead of making one.
	Adopted bool
}

// Target is one destination of contacts. Implementations must be safe for
// concurrent Put and Remove calls. An error may be marked Fatal (the whole
// target cannot go on) or Held (this one contact can never be written as it
// is); any other error fails that one write.
type Target interface {
	// Put creates or updates one contact. base is what this target last
	// received (nil for a create); prev is the handle from the state.
	Put(ctx context.Context, c, base *mapping.Contact, prev state.Ref) (Outcome, error)
	// Remove handles a contact gone from LinkedIn, as the target's policy says
	// (mark, delete or keep). c is the contact as last sent.
	Remove(ctx context.Context, c *mapping.Contact, prev state.Ref) (Outcome, error)
	// Close flushes what the target buffers (the CSV target writes its file here).
	Close(ctx context.Context) error
}

// Preparer is a Target that wants the whole plan before the first write,
// e.g. to fetch the remote cards it will merge into in a few batched requests.
type Preparer interface {
	Prepare(ctx context.Context, p state.Plan) error
}

// Witnessing is a Target that, once closed, says what it left on its own
// side, in its Spec.Witness's terms (see Memo), from what it wrote or
// compared itself: a run is remembered with that, never with a second
// look, which someone's edit could slip in before.
type Witnessing interface {
	Witness() string
}

// Concurrent is a Target that takes several writes at once (a CardDAV
// server); others get one write at a time.
type Concurrent interface {
	Workers() int
}

// ClosingConfirms is a Target whose writes land only when Close succeeds
// (a file written whole): its results are journaled after Close, and a
// failed Close fails every one of them.
type ClosingConfirms interface {
	ConfirmsOnClose() bool
}
