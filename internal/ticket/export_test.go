package ticket

// ListQuery exposes the composed list query to the tests (EXPLAIN).
var ListQuery = (*Service).listQuery
