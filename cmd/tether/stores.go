package main

// The stores --store can name: each registers its DSN schemes with
// store/dsn when imported. A program of your own imports the ones it
// needs.
import (
	_ "github.com/tetherweb/tether/store/cookiestore"
	_ "github.com/tetherweb/tether/store/filestore"
	_ "github.com/tetherweb/tether/store/memcachestore"
	_ "github.com/tetherweb/tether/store/memstore"
	_ "github.com/tetherweb/tether/store/redisstore"
	_ "github.com/tetherweb/tether/store/sqlstore/mysql"
	_ "github.com/tetherweb/tether/store/sqlstore/postgres"
	_ "github.com/tetherweb/tether/store/sqlstore/sqlite"
	_ "github.com/tetherweb/tether/store/tieredstore"
)
