package conversation

// SetSearchLimits changes the search thresholds (lists_search.go) for a
// test, so that a few rows reach each way; restore undoes it. rare < 0
// never reads matches by key.
func SetSearchLimits(probe, contacts, rare, batch, budget int) (restore func()) {
	old := [5]int{searchProbe, searchContacts, searchRareContacts, searchBatch, searchBudget}
	searchProbe, searchContacts, searchRareContacts, searchBatch, searchBudget = probe, contacts, rare, batch, budget
	return func() {
		searchProbe, searchContacts, searchRareContacts, searchBatch, searchBudget = old[0], old[1], old[2], old[3], old[4]
	}
}

// Fold is the search's fast folding, for its test against search.Fold.
var Fold = fold
