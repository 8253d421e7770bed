package mysql

import (
	"net/url"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/tetherweb/tether/store/sqlstore"
)

func TestMySQLDSNConversion(t *testing.T) {
	cases := []struct{ in, want string }{
		{"mysql://root@127.0.0.1:3306/test", "root@tcp(127.0.0.1:3306)/test"},
		{"mysql://u:p@db.example/app", "u:p@tcp(db.example:3306)/app"},
		{"mysql://u:p%40ss%3Aw%2Frd@h:3307/app?timeout=2s&tls=true", "u:p@ss:w/rd@tcp(h:3307)/app?timeout=2s&tls=true"},
		{"mysql://u@[::1]:3306/db", "u@tcp([::1]:3306)/db"},
		{"mysql://h:1/", "tcp(h:1)/"},
	}
	for _, c := range cases {
		sep := "?"
		if strings.Contains(c.in, "?") {
			sep = "&"
		}
		u, name, err := sqlstore.SplitTableParam(c.in + sep + "table=django_session")
		if err != nil {
			t.Fatalf("%s: %v", c.in, err)
		}
		if name != "django_session" {
			t.Errorf("%s: table %q", c.in, name)
		}
		got, err := driverDSN(u)
		if err != nil || got != c.want {
			t.Errorf("driverDSN(%s) = %q, %v; want %q", c.in, got, err, c.want)
			continue
		}
		cfg, err := mysql.ParseDSN(got)
		if err != nil {
			t.Errorf("the driver rejects %q: %v", got, err)
			continue
		}
		if want, _ := url.Parse(c.in); cfg.User != want.User.Username() {
			t.Errorf("%q: the driver reads user %q", got, cfg.User)
		}
		if p, ok := u.User.Password(); ok && cfg.Passwd != p {
			t.Errorf("%q: the driver reads password %q, want %q", got, cfg.Passwd, p)
		}
	}
}
