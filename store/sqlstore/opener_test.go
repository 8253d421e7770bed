package sqlstore_test

import (
	"github.com/tetherweb/tether/store/sqlstore"
	"github.com/tetherweb/tether/store/sqlstore/mysql"
	"github.com/tetherweb/tether/store/sqlstore/postgres"
	"github.com/tetherweb/tether/store/sqlstore/sqlite"
)

// init hands the internal tests the driver packages' Open functions (and
// links the drivers, which register themselves with sqlstore).
func init() { sqlstore.SetOpeners(sqlite.Open, postgres.Open, mysql.Open) }
