package sqlstore

// The Open functions of the driver packages, for this package's own
// tests: the driver packages import sqlstore, so only the external test
// package can import them; opener_test.go sets these in its init.
var openSQLite, openPostgres, openMySQL func(string, ...Option) (*Store, error)

// SetOpeners gives the internal tests the driver packages' Open functions.
func SetOpeners(sqlite, postgres, mysql func(string, ...Option) (*Store, error)) {
	openSQLite, openPostgres, openMySQL = sqlite, postgres, mysql
}
