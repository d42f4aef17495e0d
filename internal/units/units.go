// Package units formats byte sizes the one way pstcheck writes them, in
// every report, detail and progress bar: binary multiples with their IEC
// names (KiB, MiB, GiB, ...), as Windows and Outlook count sizes (Outlook's
// 50 GB limit is 51,200 MiB) but labelled for what they are.
package units

import (
	"fmt"
	"strconv"
)

// Size formats n bytes with digits digits after the point: "512 B",
// "27.63 MiB" (2 digits), "27.6 MiB" (1).
func Size(n int64, digits int) string {
	if n < 1024 && n > -1024 {
		return strconv.FormatInt(n, 10) + " B"
	}
	const names = "KMGTPE"
	f, i := float64(n)/1024, 0
	// Round before choosing the unit, so 1023.999 KiB reads 1.00 MiB.
	limit := 1024 - 0.5/pow10(digits)
	for (f >= limit || f <= -limit) && i < len(names)-1 {
		f /= 1024
		i++
	}
	return fmt.Sprintf("%.*f %ciB", digits, f, names[i])
}

func pow10(n int) float64 {
	p := 1.0
	for range n {
		p *= 10
	}
	return p
}
