package calendar_test

import (
	"fmt"
	"time"

	"github.com/tillit/tillit/internal/calendar"
)

// A complaint filed in Denmark on Wednesday 25 March 2026 must be answered
// within 15 business days, at most 35 with a holding reply; Easter and the
// bank-closing days after Ascension Day do not count.
func ExampleCalendar_Deadline() {
	dk, err := calendar.For("dk")
	if err != nil {
		panic(err)
	}
	filed := time.Date(2026, time.March, 25, 9, 15, 0, 0, time.UTC)
	fmt.Println(dk.Deadline(filed, 15))
	fmt.Println(dk.Deadline(filed, 35).In(dk.Location()))
	// Output:
	// 2026-04-20 21:59:59.999999 +0000 UTC
	// 2026-05-20 23:59:59.999999 +0200 CEST
}
