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
// The list queries (queries.sql, "list-*") express the same rule in SQL;
// the visibility test checks both against each other.
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
