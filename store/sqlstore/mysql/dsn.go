package mysql

import (
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/tetherweb/tether/store/dsn"
	"github.com/tetherweb/tether/store/sqlstore"
)

// init registers the DSN scheme "mysql"
// ("mysql://user:pass@host:port/db?params", plus "?table=NAME") with
// store/dsn.
func init() { dsn.Register("mysql", openDSN) }

func openDSN(d string, _ dsn.Options) (*dsn.Opened, error) {
	u, table, err := sqlstore.SplitTableParam(d)
	if err != nil {
		return nil, err
	}
	driverDSN, err := driverDSN(u)
	if err != nil {
		return nil, err
	}
	return sqlstore.OpenForDSN(table, func(opts ...sqlstore.Option) (*sqlstore.Store, error) {
		return Open(driverDSN, opts...)
	})
}

// driverDSN turns mysql://user:pass@host:port/db?params into
// go-sql-driver/mysql's user:pass@tcp(host:port)/db?params (port 3306 by
// default). The driver takes the user and password as they are (it
// needs no escaping), so the URL's escapes are decoded.
func driverDSN(u *url.URL) (string, error) {
	if u.Host == "" {
		return "", fmt.Errorf("dsn: %s: needs a host (mysql://user:pass@host:port/db)", u.Redacted())
	}
	if u.Opaque != "" {
		return "", fmt.Errorf("dsn: %s: want mysql://user:pass@host:port/db", u.Redacted())
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "3306")
	}
	db := strings.TrimPrefix(u.Path, "/")
	if strings.Contains(db, "/") {
		return "", fmt.Errorf("dsn: %s: the path must be a database name", u.Redacted())
	}
	var b strings.Builder
	if u.User != nil {
		b.WriteString(u.User.Username())
		if p, ok := u.User.Password(); ok {
			b.WriteString(":" + p)
		}
		b.WriteString("@")
	}
	b.WriteString("tcp(" + host + ")/" + db)
	if u.RawQuery != "" {
		b.WriteString("?" + u.RawQuery)
	}
	return b.String(), nil
}
