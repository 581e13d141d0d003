package bench

import (
	"os"
	"strconv"
	"strings"
	"time"
)

// cpuSample is a point-in-time reading of CPU time used: by this process
// (clients and, in process, the server) and by the whole machine (busy time
// of every core, Linux only). Their difference over a run is what other
// processes used: the database server, or unrelated load skewing the numbers.
type cpuSample struct {
	process time.Duration
	machine time.Duration
	ok      bool // machine was read
}

func sampleCPU() cpuSample {
	s := cpuSample{process: processCPU()}
	s.machine, s.ok = machineBusy()
	return s
}

// machineBusy sums the non-idle jiffies of the first line of /proc/stat.
func machineBusy() (time.Duration, bool) {
	raw, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, false
	}
	line, _, _ := strings.Cut(string(raw), "\n")
	fields := strings.Fields(line)
	if len(fields) < 5 || fields[0] != "cpu" {
		return 0, false
	}
	var busy int64
	for i, f := range fields[1:] {
		if i == 3 || i == 4 { // idle, iowait
			continue
		}
		if i >= 8 { // guest time is already counted in user
			break
		}
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, false
		}
		busy += n
	}
	// USER_HZ is 100 on every Linux architecture Go supports.
	return time.Duration(busy) * 10 * time.Millisecond, true
}
