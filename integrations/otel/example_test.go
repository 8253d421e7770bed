package tetherotel_test

import (
	"fmt"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"

	tetherotel "github.com/tetherweb/tether/integrations/otel"
	"github.com/tetherweb/tether/session"
	"github.com/tetherweb/tether/store/memstore"
)

// Report a Manager's store calls and events to the global MeterProvider
// (set up by the application's OpenTelemetry SDK).
func Example() {
	metrics, err := tetherotel.New(otel.Meter("github.com/tetherweb/tether"), attribute.String("store", "memory"))
	if err != nil {
		panic(err)
	}
	m := &session.Manager{Store: memstore.New(), Metrics: metrics}
	fmt.Println(m.Metrics != nil)
	// Output: true
}
