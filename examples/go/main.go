// clock prints the current time (or the time given by -at, RFC 3339) in each
// time zone named on the command line. The static Go example: built with
// CGO_ENABLED=0, it needs no libc, only the zone files that the static
// base's tzdata provides under /usr/share/zoneinfo.
// Usage: clock [-at TIME] ZONE...
package main

import (
	"flag"
	"fmt"
	"os"
	"time"
)

func main() {
	at := flag.String("at", "", "the time to show, RFC 3339 (default: now)")
	flag.Parse()
	t := time.Now()
	if *at != "" {
		var err error
		if t, err = time.Parse(time.RFC3339, *at); err != nil {
			fmt.Fprintf(os.Stderr, "clock: -at: %v\n", err)
			os.Exit(2)
		}
	}
	zones := flag.Args()
	if len(zones) == 0 {
		zones = []string{"UTC"}
	}
	status := 0
	for _, name := range zones {
		loc, err := time.LoadLocation(name)
		if err != nil {
			fmt.Fprintf(os.Stderr, "clock: %v\n", err)
			status = 1
			continue
		}
		fmt.Printf("%s %s\n", t.In(loc).Format("2006-01-02 15:04:05 -0700 MST"), name)
	}
	os.Exit(status)
}
