package conversation

import (
	"papo/internal/auth"
)

// Visible is papo's one visibility rule (F03), applied to every read and
// action on a conversation, its messages, media and live events:
//
//   - admins see every conversation;
//   - agents see only conversations of their teams;
//   - with segmentation on, an agent never sees a conversation assigned to
//     another agent; a closed one is theirs when they held it last, or when
//     it closed unassigned in one of their teams.
//
// The list queries (lists.sql, "list-*" and "counts-*", chosen per role and
// segmentation in lists.go) express the same rule in SQL, and search
// filters its candidates with it (scope.inView); lists_test.go checks the
// lists against this function row by row.
func Visible(p *auth.Principal, r *Row, segmented bool) bool {
	if p.IsAdmin() {
		return true
	}
	if !p.InTeam(r.TeamID) {
		return false
	}
	if !segmented {
		return true
	}
	// A closed conversation keeps the assignee it had when it closed, so
	// one rule covers both: unassigned, or assigned to the caller.
	return r.AssigneeID == nil || *r.AssigneeID == p.ID
}
