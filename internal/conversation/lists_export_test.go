package conversation

// SetSearchLimits changes the search thresholds (lists_search.go) for a
// test, so that a few rows reach the common-term way; restore undoes it.
func SetSearchLimits(probe, contacts, batch, budget int) (restore func()) {
	old := [4]int{searchProbe, searchContacts, searchBatch, searchBudget}
	searchProbe, searchContacts, searchBatch, searchBudget = probe, contacts, batch, budget
	return func() { searchProbe, searchContacts, searchBatch, searchBudget = old[0], old[1], old[2], old[3] }
}
