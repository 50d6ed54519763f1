package mapping

import "time"

// Message is one row of messages.csv without its subject or body: linkport
// keeps who wrote to whom and when, never what was written.
type Message struct {
	File string
	Line int

	Conversation string // CONVERSATION ID; "" in the 2018 file
	From         string // the sender's display name
	FromURL      string // SENDER PROFILE URL; "" before 2021 and for deleted members
	// To holds the recipients' display names joined by ", "; names may
	// contain ", " themselves ("Jane Doe, PhD"), so ToURLs is preferred.
	To     string
	ToURLs []string
	Date   time.Time // zero when unparseable (a warning says so)
	// Outgoing is set when the file itself says the user sent it (2018's
	// Direction OUTGOING or folder SENT); later files say it only through
	// the sender's URL.
	Outgoing bool
}

// Invitation is one row of Invitations.csv.
type Invitation struct {
	File string
	Line int

	From, To       string // display names
	FromURL, ToURL string // inviterProfileUrl, inviteeProfileUrl (late 2023 on)
	SentAt         time.Time
	Text           string // the invitation's message, often empty
	Outgoing       bool   // Direction OUTGOING: the user invited them
}

// Note is one row of Notes.csv (2026): the user's private note on a connection.
type Note struct {
	File string
	Line int

	FirstName, LastName, ProfileURL string
	Text                            string
	CreatedOn, EditedOn             time.Time
}

// Endorsement is one row of Endorsement_Received_Info.csv or Endorsement_Given_Info.csv.
type Endorsement struct {
	File string
	Line int

	Given                           bool // the user endorsed them; false: they endorsed the user
	Skill                           string
	FirstName, LastName, ProfileURL string // the other person
	Date                            time.Time
	Status                          string // ACCEPTED, PENDING, HIDDEN, …
}

// Recommendation is one row of Recommendations_Received.csv or
// Recommendations_Given.csv. Its text is not kept.
type Recommendation struct {
	File string
	Line int

	Given               bool
	FirstName, LastName string
	Company, Title      string
	Date                time.Time
	Status              string // VISIBLE, …
}

// Follow is one row of Company Follows.csv: an organisation the user follows.
type Follow struct {
	File string
	Line int

	Organization string
	FollowedOn   time.Time
}
