package mysql_test

import (
	"log"

	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/sqlstore/mysql"
)

// A store on MySQL or MariaDB; the DSN is go-sql-driver/mysql's. (Not
// run: it needs a server.)
func ExampleOpen() {
	store, err := mysql.Open("app:secret@tcp(db.internal:3306)/app?timeout=5s&readTimeout=10s&writeTimeout=10s")
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	m := &session.Manager{Store: store}
	_ = m.Middleware
}
